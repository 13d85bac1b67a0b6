package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fraudscorer.bundle.BundleSigning;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsWarmupTest {

    private static final PlainAvroSerde<Transaction> TX = new PlainAvroSerde<>(Transaction.getClassSchema());
    private static final PlainAvroSerde<Verdict> VERDICT = new PlainAvroSerde<>(Verdict.getClassSchema());
    private static final PlainAvroSerde<ModelControl> CONTROL = new PlainAvroSerde<>(ModelControl.getClassSchema());
    private static final PlainAvroSerde<ModelVersion> VERSION = new PlainAvroSerde<>(ModelVersion.getClassSchema());
    private static final PlainAvroSerde<FraudLabel> LABEL = new PlainAvroSerde<>(FraudLabel.getClassSchema());

    @Test
    void scoresEveryWarmupTransactionWithTheServedModelAndDeadLettersItsBadRecords(@TempDir Path dir) throws Exception {
        final Path key = TestKeys.writeTrainer(dir.resolve("keys"));
        final ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.TRUSTED_KEYS,
                key.resolveSibling("trainer.pub").toString(), ScorerConfig.STATE_DIR, dir.resolve("state").toString()));
        final byte[] bundle = ModelBundle.readFrom(ScorerTopologyTest.GOLDEN).toBytes();
        final Instant now = Instant.parse("2026-01-01T00:00:00Z");
        final byte[] version = VERSION.serializer().serialize("", ModelVersion.newBuilder().setModelName("fraud")
                .setVersion(1).setBundle(ByteBuffer.wrap(bundle)).setBundleSha256(ModelBundle.sha256(bundle))
                .setPublishedAt(now).setPublishedBy("test")
                .setSignature(ByteBuffer.wrap(BundleSigning.sign(TestKeys.TRAINER.getPrivate(), bundle)))
                .setSignedBy(BundleSigning.keyId(TestKeys.TRAINER.getPublic())).build());
        final byte[] control = CONTROL.serializer().serialize("", ModelControl.newBuilder().setModelName("fraud")
                .setActiveVersion(1).setIssuedBy("test").setReason("test").setIssuedAt(now).setGeneration(1).build());

        final StreamsWarmup.Result result = StreamsWarmup.warm(config, new ScorerTopology.AvroCodecs(TX::deserializer, VERDICT,
                        CONTROL::deserializer, VERSION::deserializer, LABEL::deserializer), TX.serializer(),
                LABEL.serializer(), 2_000, List.of(KeyValue.pair("fraud/1", version)),
                List.of(KeyValue.pair("fraud", control)));

        // Every transaction a verdict (the served model, not NO_ACTIVE_MODEL dead letters), the 4 bad records dead.
        assertEquals(new StreamsWarmup.Result(2_000, 2_000, 4), result);
        // Its driver's state went with it; Streams' own directory of the live application is not its to touch.
        assertFalse(java.nio.file.Files.exists(dir.resolve("state/streams-warmup")));
    }
}
