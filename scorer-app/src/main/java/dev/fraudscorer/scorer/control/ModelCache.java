package dev.fraudscorer.scorer.control;

import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.bundle.TrustedKeys;
import dev.fraudscorer.features.FeatureEngine;
import dev.fraudscorer.schema.ModelVersion;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parsed model versions of this process, shared by the global thread (which loads a version as soon as a control
 * record names it) and the stream threads (which load on a miss, e.g. after a restart restored the stores).
 * Versions that failed verification are remembered so they are not retried on every record.
 */
public final class ModelCache {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    private final Map<String, LoadedModel> loaded = new ConcurrentHashMap<>();
    private final Map<String, String> rejected = new ConcurrentHashMap<>();
    private final Map<String, Serving> lastServing = new ConcurrentHashMap<>();
    private final BiConsumer<String, String> onReject;
    private final FeatureEngine.Capabilities capabilities;
    private final TrustedKeys trustedKeys;
    private volatile ServingListener listener = (name, before, now) -> { };

    /** Told when what serves changes (another generation or active version), once per change in this process. */
    @FunctionalInterface
    public interface ServingListener {
        void changed(String name, Serving before, Serving now);
    }

    /**
     * @param trustedKeys  keys whose signatures are accepted; a version not signed by one is rejected unparsed
     * @param capabilities what the feature state can compute; a bundle asking more is rejected
     * @param onReject     called with (model key, reason) once per rejected version
     */
    public ModelCache(TrustedKeys trustedKeys, FeatureEngine.Capabilities capabilities,
                      BiConsumer<String, String> onReject) {
        this.trustedKeys = trustedKeys;
        this.capabilities = capabilities;
        this.onReject = onReject;
    }

    public void onServingChange(ServingListener listener) {
        this.listener = listener;
    }

    /** The registry key of a version: {@link dev.fraudscorer.control.ModelRef}'s text. */
    public static String key(String name, int version) {
        return new dev.fraudscorer.control.ModelRef(name, version).toString();
    }

    /** @return the version if it is parsed already */
    public Optional<LoadedModel> loaded(String name, int version) {
        return Optional.ofNullable(loaded.get(key(name, version)));
    }

    /**
     * Verifies and parses {@code record} unless that was done (or refused) before.
     *
     * @return the version, or empty if it is rejected
     */
    public Optional<LoadedModel> load(String name, int version, ModelVersion record) {
        final String key = key(name, version);
        if (rejected.containsKey(key)) {
            return Optional.empty();
        }
        return Optional.ofNullable(loaded.computeIfAbsent(key, k -> load0(name, version, record)));
    }

    /** Remembers what serves now, for threads whose own resolution fails, and releases what is not needed. */
    public void applied(String name, Serving serving) {
        final Serving before = lastServing.put(name, serving);
        if (before == null || before.generation() != serving.generation() || before.active() != serving.active()) {
            listener.changed(name, before, serving);
            final java.util.Set<String> keep = new java.util.HashSet<>(serving.keep());
            if (before != null) {
                keep.addAll(before.keep());
            }
            loaded.keySet().removeIf(k -> !keep.contains(k));
        }
    }

    /** @return what was most recently applied successfully in this process: what serves when a newer record fails */
    public Optional<Serving> lastServing(String name) {
        return Optional.ofNullable(lastServing.get(name));
    }

    /** Records a refusal that is not a version's, e.g. a replayed control record. */
    public void reject(String what, String reason) {
        if (rejected.put(what, reason) == null) {
            LOG.error("rejected {}: {}", what, reason);
            onReject.accept(what, reason);
        }
    }

    /** Rejected versions and why, as '<model>/<version>: reason'. */
    public java.util.List<String> rejections() {
        return rejected.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).sorted().toList();
    }

    private static byte[] bytesOf(java.nio.ByteBuffer buffer) {
        final byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }


    private LoadedModel load0(String name, int version, ModelVersion record) {
        final String key = key(name, version);
        try {
            final byte[] bytes = record.getBundle().array();
            final String sha = ModelBundle.sha256(bytes);
            if (!sha.equals(record.getBundleSha256())) {
                throw new IllegalArgumentException("bundle sha256 " + sha + " does not match the registry's "
                        + record.getBundleSha256());
            }
            // Before any parsing: an unsigned or forged bundle never reaches the zip or JSON readers.
            trustedKeys.verify(bytes, record.getSignature() == null ? null : bytesOf(record.getSignature()),
                    record.getSignedBy());
            final long start = System.nanoTime();
            final LoadedModel model = LoadedModel.load(name, version, ModelBundle.fromBytes(bytes), capabilities);
            LOG.info("loaded model {} ({} trees, {} features) in {} ms", key, model.ensemble().numTrees(),
                    model.spec().size(), (System.nanoTime() - start) / 1_000_000);
            dev.fraudscorer.scorer.score.ScoringWarmup.once(model);
            return model;
        } catch (RuntimeException e) {
            rejected.put(key, e.getMessage());
            LOG.error("rejected model {}: {}", key, e.getMessage());
            onReject.accept(key, e.getMessage());
            return null;
        }
    }
}
