package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.bundle.BundleSigning;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.ControlRecords;
import dev.fraudscorer.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may change the model, with model.control.trusted.keys set: an operator's signature on every control record; the
 * webhook's key only for a rollback to the previous version; anything else refused and reported, and what served
 * keeps serving.
 */
class SignedControlTopologyTest {

    private static final Instant NOW = Instant.parse("2018-08-10T12:00:00Z");
    private static final PlainAvroSerde<Transaction> TX = new PlainAvroSerde<>(Transaction.getClassSchema());
    private static final PlainAvroSerde<Verdict> VERDICT = new PlainAvroSerde<>(Verdict.getClassSchema());
    private static final PlainAvroSerde<ModelControl> CONTROL = new PlainAvroSerde<>(ModelControl.getClassSchema());
    private static final PlainAvroSerde<ModelVersion> VERSION = new PlainAvroSerde<>(ModelVersion.getClassSchema());
    private static final PlainAvroSerde<dev.fraudscorer.schema.FraudLabel> LABEL =
            new PlainAvroSerde<>(dev.fraudscorer.schema.FraudLabel.getClassSchema());
    private static final KeyPair OPERATOR = BundleSigning.generate();
    private static final KeyPair WEBHOOK = BundleSigning.generate();
    private static final KeyPair STRANGER = BundleSigning.generate();

    @TempDir
    Path keys;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> transactions;
    private TestInputTopic<String, byte[]> control;
    private TestOutputTopic<byte[], byte[]> verdicts;
    private final List<String> rejections = new ArrayList<>();
    private long generation;
    private ModelControl current;

    @BeforeEach
    void startDriver() throws Exception {
        BundleSigning.write(OPERATOR, keys.resolve("operator"));
        BundleSigning.write(WEBHOOK, keys.resolve("webhook"));
        final ScorerConfig config = new ScorerConfig(Map.of(
                ScorerConfig.CONTROL_TRUSTED_KEYS, keys.resolve("operator.pub").toString(),
                ScorerConfig.CONTROL_ROLLBACK_KEYS, keys.resolve("webhook.pub").toString()));
        final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        final ModelCache cache = new ModelCache(TestKeys.trusted(), config.featureCapabilities(), (k, r) -> rejections.add(k));
        final var topology = ScorerTopology.build(config, new ScorerTopology.AvroCodecs(TX::deserializer,
                VERDICT, CONTROL::deserializer, VERSION::deserializer,
                LABEL::deserializer),
                cache, new ScorerMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), clock, 10), clock);
        final Properties props = new Properties();
        props.putAll(config.streamsProperties());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("scorer-signed-ttd").toString());
        driver = new TopologyTestDriver(topology, props, NOW);
        transactions = driver.createInputTopic(Topics.TRANSACTIONS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        control = driver.createInputTopic(Topics.MODEL_CONTROL.name(), new StringSerializer(), new ByteArraySerializer());
        verdicts = driver.createOutputTopic(Topics.VERDICTS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final TestInputTopic<String, byte[]> registry = driver.createInputTopic(Topics.MODEL_REGISTRY.name(),
                new StringSerializer(), new ByteArraySerializer());
        final byte[] golden = ModelBundle.readFrom(ScorerTopologyTest.GOLDEN).toBytes();
        for (int v = 1; v <= 3; v++) {
            registry.pipeInput("fraud/" + v, VERSION.serializer().serialize("", ModelVersion.newBuilder()
                    .setModelName("fraud").setVersion(v).setBundle(ByteBuffer.wrap(golden))
                    .setBundleSha256(ModelBundle.sha256(golden)).setPublishedAt(NOW).setPublishedBy("test")
                    .setSignature(ByteBuffer.wrap(BundleSigning.sign(TestKeys.TRAINER.getPrivate(), golden)))
                    .setSignedBy(BundleSigning.keyId(TestKeys.TRAINER.getPublic())).build()));
        }
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void anOperatorSignedRecordServesUnsignedStrangerAndForgedOnesAreRefused() {
        assertEquals(1, control(active(1, null), OPERATOR));
        assertEquals(1, control(active(2, 1), null), "unsigned");
        assertEquals(1, control(active(2, 1), STRANGER), "signed by a key nobody trusts");
        final ModelControl forged = ControlRecords.sign(active(2, 1), OPERATOR.getPrivate(),
                BundleSigning.keyId(OPERATOR.getPublic()));
        assertEquals(1, pipe(ModelControl.newBuilder(forged).setActiveVersion(3).build()),
                "an operator's signature over other content");
        assertEquals(List.of("fraud/control@2", "fraud/control@3", "fraud/control@4"), rejections);
        control.pipeInput("fraud", (byte[]) null);
        assertEquals(1, scoredBy(), "an unsigned tombstone does not stop serving");
        assertEquals(2, control(active(2, 1), OPERATOR));
    }

    @Test
    void theWebhooksKeyMayOnlyRollBack() {
        control(active(1, null), OPERATOR);
        assertEquals(2, control(active(2, 1), OPERATOR));
        assertEquals(2, control(active(3, 2), WEBHOOK), "a promotion signed by the webhook");
        assertEquals(2, control(ModelControl.newBuilder(active(2, 1)).setShadowVersion(3).build(), WEBHOOK),
                "a shadow signed by the webhook");
        assertTrue(rejections.stream().allMatch(r -> r.startsWith("fraud/control@")), rejections.toString());
        assertEquals(2, rejections.size());
        assertEquals(1, control(ModelControl.newBuilder(active(1, 2)).setRolledBack(List.of(2)).build(), WEBHOOK),
                "back to the previous version: allowed");
    }

    /** A record on top of the one in force (next generation), signed by {@code signer} or unsigned. */
    private ModelControl active(int version, Integer previous) {
        return ModelControl.newBuilder().setModelName("fraud").setActiveVersion(version).setPreviousVersion(previous)
                .setIssuedBy("test").setReason("test").setIssuedAt(NOW).setGeneration(generation + 1).build();
    }

    /** Signs and pipes the record; returns the version a transaction is then scored by. */
    private int control(ModelControl record, KeyPair signer) {
        return pipe(signer == null ? record
                : ControlRecords.sign(record, signer.getPrivate(), BundleSigning.keyId(signer.getPublic())));
    }

    private int pipe(ModelControl record) {
        generation++;
        control.pipeInput("fraud", CONTROL.serializer().serialize("", record));
        return scoredBy();
    }

    private int scoredBy() {
        final String id = "t-" + generation + "-" + rejections.size() + "-" + System.nanoTime();
        transactions.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8), TX.serializer().serialize("",
                Transaction.newBuilder().setTransactionId(id).setEventTime(Instant.parse("2018-08-09T10:15:00Z"))
                        .setCustomerId("c-1").setTerminalId("term-9").setAmount(30.0).build())));
        return VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion();
    }
}
