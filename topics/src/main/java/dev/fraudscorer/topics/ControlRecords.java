package dev.fraudscorer.topics;

import dev.fraudscorer.bundle.BundleSigning;
import dev.fraudscorer.control.ControlContent;
import dev.fraudscorer.control.ControlTrust;
import dev.fraudscorer.schema.ModelControl;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.util.Optional;

/** Model-control records as signed content: the one mapping the CLI, the webhook and the scorers share. */
public final class ControlRecords {

    private ControlRecords() {
    }

    public static ControlContent content(ModelControl r) {
        return new ControlContent(r.getModelName(), r.getActiveVersion(), r.getPreviousVersion(), r.getCanaryVersion(),
                r.getCanaryPercent(), r.getShadowVersion(), r.getRolledBack(), r.getGeneration(), r.getIssuedBy(),
                r.getReason(), r.getIssuedAt().toEpochMilli());
    }

    /** The Avro record of {@code content}, unsigned. */
    public static ModelControl record(ControlContent content) {
        return ModelControl.newBuilder().setModelName(content.modelName()).setActiveVersion(content.activeVersion())
                .setPreviousVersion(content.previousVersion()).setCanaryVersion(content.canaryVersion())
                .setCanaryPercent(content.canaryPercent()).setShadowVersion(content.shadowVersion())
                .setRolledBack(content.rolledBack()).setGeneration(content.generation()).setIssuedBy(content.issuedBy())
                .setReason(content.reason()).setIssuedAt(java.time.Instant.ofEpochMilli(content.issuedAtMs()))
                .setSignedBy(null).setSignature(null).build();
    }

    /** {@code record} signed by {@code key} (id {@code keyId}); any earlier signature is replaced. */
    public static ModelControl sign(ModelControl record, PrivateKey key, String keyId) {
        final byte[] signature = BundleSigning.sign(key, content(record).canonicalBytes());
        return ModelControl.newBuilder(record).setSignedBy(keyId).setSignature(ByteBuffer.wrap(signature)).build();
    }

    /** Why {@code next} must not replace {@code current} under {@code trust}, or empty if it may. */
    public static Optional<String> refuse(ControlTrust trust, ModelControl next, ModelControl current) {
        final byte[] signature = next.getSignature() == null ? null : bytes(next.getSignature());
        return trust.refuse(content(next), signature, next.getSignedBy(), current == null ? null : content(current));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        final ByteBuffer b = buffer.duplicate();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
