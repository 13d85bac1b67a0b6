package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.bundle.BundleSigning;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.features.Entity;
import dev.fraudscorer.features.FeatureDef;
import dev.fraudscorer.features.FeatureKind;
import dev.fraudscorer.features.FeatureSpec;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.validate.DeadLetter;
import dev.fraudscorer.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
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

class ScorerTopologyTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden-bundle");
    private static final Instant NOW = Instant.parse("2018-08-10T12:00:00Z");
    private static final PlainAvroSerde<Transaction> TX = new PlainAvroSerde<>(Transaction.getClassSchema());
    private static final PlainAvroSerde<Verdict> VERDICT = new PlainAvroSerde<>(Verdict.getClassSchema());
    private static final PlainAvroSerde<ModelControl> CONTROL = new PlainAvroSerde<>(ModelControl.getClassSchema());
    private static final PlainAvroSerde<ModelVersion> VERSION = new PlainAvroSerde<>(ModelVersion.getClassSchema());
    private static final PlainAvroSerde<FraudLabel> LABEL = new PlainAvroSerde<>(FraudLabel.getClassSchema());
    private static final String UNWRITABLE = "t-unwritable";
    private static final long HOUR = 3600_000L;
    private static final long DAY = 24 * HOUR;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> transactions;
    private TestInputTopic<String, byte[]> registry;
    private TestInputTopic<String, byte[]> control;
    private TestInputTopic<byte[], byte[]> labels;
    private TestOutputTopic<byte[], byte[]> verdicts;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private final List<String> rejections = new ArrayList<>();
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private final CollectingSpanExporter spans = new CollectingSpanExporter();
    private dev.fraudscorer.scorer.score.Tracing tracing;

    @BeforeEach
    void startDriver() {
        final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        final ScorerConfig config = new ScorerConfig(Map.of());
        // The verdict serde fails for one transaction id, as a registry outage or a schema bug would for real.
        final var verdictSerde = org.apache.kafka.common.serialization.Serdes.serdeFrom((topic, v) -> {
            if (UNWRITABLE.equals(v.getTransactionId())) {
                throw new org.apache.kafka.common.errors.SerializationException("schema registry said no");
            }
            return VERDICT.serializer().serialize(topic, v);
        }, VERDICT.deserializer());
        final ModelCache cache = new ModelCache(TestKeys.trusted(), config.featureCapabilities(), (k, r) -> rejections.add(k));
        final ScorerMetrics metrics = new ScorerMetrics(meters, clock, 10);
        cache.onServingChange(metrics::servingChanged);
        tracing = dev.fraudscorer.scorer.score.Tracing.exportingTo(spans, 1.0);
        final var topology = ScorerTopology.build(config, new ScorerTopology.AvroCodecs(TX::deserializer, verdictSerde,
                CONTROL::deserializer, VERSION::deserializer, LABEL::deserializer), cache, metrics, clock, tracing);
        final Properties props = new Properties();
        props.putAll(config.streamsProperties());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/scorer-ttd-" + System.nanoTime());
        driver = new TopologyTestDriver(topology, props, NOW);
        transactions = driver.createInputTopic(Topics.TRANSACTIONS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        registry = driver.createInputTopic(Topics.MODEL_REGISTRY.name(), new StringSerializer(), new ByteArraySerializer());
        control = driver.createInputTopic(Topics.MODEL_CONTROL.name(), new StringSerializer(), new ByteArraySerializer());
        labels = driver.createInputTopic(Topics.FRAUD_LABELS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        verdicts = driver.createOutputTopic(Topics.VERDICTS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void drainedAndClosed() {
        try {
            assertTrue(verdicts.isEmpty(), "unasserted verdicts left");
            assertTrue(deadLetters.isEmpty(), "unasserted dead letters left");
        } finally {
            driver.close();
            tracing.close();
        }
    }

    @Test
    void labelsJoinVerdictsInEventTimeIntoOutcomesPerVersion() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final Instant t0 = Instant.parse("2018-08-01T10:00:00Z");
        // t-6's label arrives before its verdict: it waits for it.
        label("t-6", "c-6", t0, true);
        final Map<String, Boolean> flagged = new java.util.HashMap<>();
        for (int i = 1; i <= 6; i++) {
            send("c-" + i, at(tx("t-" + i, "c-" + i, i == 1 ? 9_000 : 20.0 * i), t0));
        }
        verdicts.readValuesToList().forEach(v -> {
            final Verdict verdict = VERDICT.deserializer().deserialize("", v);
            flagged.put(verdict.getTransactionId(), verdict.getDecision() != Decision.APPROVE);
        });
        label("t-1", "c-1", t0, true);
        label("t-2", "c-2", t0, true);
        // Eight days later in event time the label window (7 days) of t-3..t-5 is closed: unlabelled means genuine.
        send("c-9", at(tx("t-9", "c-9", 15.0), t0.plus(java.time.Duration.ofDays(8))));
        verdicts.readValue();
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(11));

        final Map<String, Integer> expected = new java.util.TreeMap<>();
        for (String id : List.of("t-1", "t-2", "t-6")) {
            expected.merge(flagged.get(id) ? "tp" : "fn", 1, Integer::sum);
        }
        for (String id : List.of("t-3", "t-4", "t-5")) {
            expected.merge(flagged.get(id) ? "fp" : "tn", 1, Integer::sum);
        }
        final Map<String, Integer> counted = new java.util.TreeMap<>();
        meters.find("fraud_label_outcomes").tag("model_version", "1").counters()
                .stream().filter(c -> c.count() > 0).forEach(c -> counted.put(c.getId().getTag("outcome"), (int) c.count()));
        assertEquals(expected, counted, "t-9 is still inside its window");
    }

    @Test
    void servingDriftAndOutlierMetersFollowWhatServes() throws Exception {
        final Manifest m = ModelBundle.readFrom(GOLDEN).manifest();
        publish(1, goldenBytes());
        publish(2, TestBundles.screened(null).toBytes());
        promote(1);
        send("c-1", tx("t-1", "c-1", 10.0));
        control(ModelControl.newBuilder().setActiveVersion(2).setPreviousVersion(1));
        for (int i = 0; i < 10; i++) {
            send("c-" + i, tx("t-x" + i, "c-" + i, i == 0 ? 500_000.0 : 20.0));
        }
        assertEquals(11, verdicts.readValuesToList().size());

        assertEquals(2.0, meters.get("fraud_model_swaps").counter().count());
        assertEquals(1.0, meters.get("fraud_model_serving").tag("role", "active").tag("version", "2").gauge().value());
        assertEquals(1.0, meters.get("fraud_model_serving").tag("role", "previous").tag("version", "1").gauge().value());
        assertTrue(meters.find("fraud_model_serving").tag("role", "active").tag("version", "1").gauges().isEmpty(),
                "the old active row is gone");
        assertEquals(1.0, meters.get("fraud_outliers").tag("model_version", "2").counter().count());
        // A window of 10 inputs (this test's setting) closed: one PSI per feature of version 2; version 1 has no bins.
        assertEquals(m.featureSpec().size(), meters.find("fraud_feature_drift_psi").tag("model_version", "2").gauges().size());
        assertTrue(meters.get("fraud_feature_drift_psi").tag("feature", "TX_AMOUNT").gauge().value() > 0);
        assertTrue(meters.find("fraud_feature_drift_psi").tag("model_version", "1").gauges().isEmpty());
    }

    @Test
    void aScoringSpanContinuesTheInputsTraceAndTheVerdictCarriesIt() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final String parentTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        final String parentSpan = "00f067aa0ba902b7";
        final var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add("traceparent", ("00-" + parentTrace + "-" + parentSpan + "-01").getBytes(StandardCharsets.UTF_8));
        transactions.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8),
                TX.serializer().serialize("", tx("t-1", "c-1", 42.0)), headers));

        final var record = verdicts.readRecord();
        final Verdict verdict = VERDICT.deserializer().deserialize("", record.value());
        assertEquals(1, spans.spans.size());
        final var span = spans.spans.get(0);
        assertEquals(parentTrace, span.getTraceId());
        assertEquals(parentSpan, span.getParentSpanId());
        assertEquals(1L, span.getAttributes().get(dev.fraudscorer.scorer.score.Tracing.MODEL_VERSION));
        assertEquals(verdict.getDecision().name(), span.getAttributes().get(dev.fraudscorer.scorer.score.Tracing.DECISION));
        assertEquals(verdict.getOutlier(), span.getAttributes().get(dev.fraudscorer.scorer.score.Tracing.OUTLIER));
        assertEquals("00-" + parentTrace + "-" + span.getSpanId() + "-01", header(record.headers(), "traceparent"),
                "the verdict continues from the scoring span");
        assertEquals(parentTrace, verdict.getTraceId());
    }

    @Test
    void validTransactionGetsOneVerdictFromTheActiveVersion() throws Exception {
        publish(1, goldenBytes());
        promote(1);

        send("c-1", tx("t-1", "c-1", 42.0));

        final var record = verdicts.readRecord();
        final Verdict verdict = VERDICT.deserializer().deserialize("", record.value());
        assertArrayEquals("c-1".getBytes(StandardCharsets.UTF_8), record.key());
        assertEquals("t-1", verdict.getTransactionId());
        assertEquals(1, verdict.getModelVersion());
        assertEquals("fraud", verdict.getModelName());
        assertTrue(verdict.getScore() > 0 && verdict.getScore() < 1);
        assertEquals(NOW, verdict.getScoredAt());
    }

    @Test
    void aVerdictThatCannotBeWrittenDeadLettersItsTransactionAndTheStreamContinues() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final byte[] unwritable = TX.serializer().serialize("", tx(UNWRITABLE, "c-2", 20.0));

        send("c-1", tx("t-1", "c-1", 10.0));
        transactions.pipeInput(new TestRecord<>("c-2".getBytes(StandardCharsets.UTF_8), unwritable));
        send("c-3", tx("t-3", "c-3", 30.0));

        assertEquals(List.of("t-1", "t-3"), verdicts.readValuesToList().stream()
                .map(v -> VERDICT.deserializer().deserialize("", v).getTransactionId()).toList());
        final var dead = deadLetters.readRecord();
        assertTrue(deadLetters.isEmpty(), "one dead letter");
        assertEquals("VERDICT_WRITE_FAILED", header(dead.headers(), DeadLetter.REASON));
        assertArrayEquals(unwritable, dead.value(), "the transaction as read, ready for replay");
        assertArrayEquals("c-2".getBytes(StandardCharsets.UTF_8), dead.key());
        assertEquals("1", header(dead.headers(), DeadLetter.SOURCE_OFFSET));
        assertTrue(header(dead.headers(), DeadLetter.MESSAGE).contains("schema registry said no"));
    }

    @Test
    void badBytesAndInvalidValuesBecomeDeadLettersAndTheStreamContinues() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final byte[] garbage = {0, 0, 0, 0, 7, (byte) 0xff, 1, 2};

        transactions.pipeInput(new TestRecord<>("c-1".getBytes(StandardCharsets.UTF_8), garbage));
        send("c-2", tx("t-2", "c-2", -5.0));
        send("c-3", tx("t-3", "c-3", Double.NaN));
        send("c-4", tx("t-4", "", 10.0));
        send("c-5", tx("t-5", "c-5", Double.POSITIVE_INFINITY));
        send("c-6", Transaction.newBuilder(tx("t-6", "c-6", 1.0)).setEventTime(Instant.parse("1990-01-01T00:00:00Z")).build());
        send("c-7", tx("t-7", "c-7", 12.5));

        final List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(List.of("DESERIALIZATION_FAILED", "INVALID_AMOUNT", "INVALID_AMOUNT", "MISSING_ID",
                "INVALID_AMOUNT", "INVALID_EVENT_TIME"), dead.stream().map(r -> header(r.headers(), DeadLetter.REASON)).toList());
        assertArrayEquals(garbage, dead.get(0).value(), "original bytes are kept");
        assertArrayEquals("c-1".getBytes(StandardCharsets.UTF_8), dead.get(0).key(), "original key is kept");
        assertEquals(Topics.TRANSACTIONS.name(), header(dead.get(0).headers(), DeadLetter.SOURCE_TOPIC));
        assertEquals("0", header(dead.get(0).headers(), DeadLetter.SOURCE_OFFSET));
        assertEquals("1", header(dead.get(1).headers(), DeadLetter.SOURCE_OFFSET));
        assertTrue(header(dead.get(0).headers(), DeadLetter.EXCEPTION).contains("SerializationException"));
        assertTrue(header(dead.get(1).headers(), DeadLetter.MESSAGE).contains("-5.0"));
        assertEquals("t-7", VERDICT.deserializer().deserialize("", verdicts.readValue()).getTransactionId());
    }

    @Test
    void modelSwitchMidStreamMovesLaterVerdictsToTheNewVersion() throws Exception {
        publish(1, goldenBytes());
        publish(2, goldenBytes());
        promote(1);
        send("c-1", tx("t-1", "c-1", 30.0));
        send("c-2", tx("t-2", "c-2", 30.0));

        promote(2);
        send("c-3", tx("t-3", "c-3", 30.0));
        send("c-4", tx("t-4", "c-4", 30.0));

        assertEquals(List.of(1, 1, 2, 2), verdicts.readValuesToList().stream()
                .map(v -> VERDICT.deserializer().deserialize("", v).getModelVersion()).toList());
    }

    @Test
    void withoutAnActiveModelRecordsWaitInTheDeadLetterTopic() {
        send("c-1", tx("t-1", "c-1", 30.0));

        assertEquals("NO_ACTIVE_MODEL", header(deadLetters.readRecord().headers(), DeadLetter.REASON));
    }

    @Test
    void aVersionThatFailsVerificationIsRejectedAndThePreviousKeepsServing() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final byte[] bundle = goldenBytes();
        publish(2, bundle, "0".repeat(64), null, null);

        promote(2);
        send("c-1", tx("t-1", "c-1", 30.0));

        assertEquals(1, VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion());
        assertEquals(List.of("fraud/2"), rejections);
    }

    @Test
    void thresholdsFromTheManifestMapScoresToDecisions() throws Exception {
        final var thresholds = ModelBundle.readFrom(GOLDEN).manifest().thresholds();
        assertEquals(Decision.APPROVE, dev.fraudscorer.scorer.verdict.VerdictBuilder.decide(
                Math.nextDown(thresholds.review()), thresholds));
        assertEquals(Decision.REVIEW, dev.fraudscorer.scorer.verdict.VerdictBuilder.decide(thresholds.review(), thresholds));
        assertEquals(Decision.DECLINE, dev.fraudscorer.scorer.verdict.VerdictBuilder.decide(thresholds.decline(), thresholds));
    }

    @Test
    void reviewAndDeclineVerdictsNameTheTopThreeContributionsApprovalsNone() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        send("c-1", tx("t-1", "c-1", 30.0));
        send("c-2", tx("t-2", "c-2", 4_000.0));

        final List<Verdict> out = verdicts.readValuesToList().stream()
                .map(v -> VERDICT.deserializer().deserialize("", v)).toList();
        assertEquals(Decision.APPROVE, out.get(0).getDecision());
        assertEquals(List.of(), out.get(0).getReasonCodes());
        final Verdict flagged = out.get(1);
        assertTrue(flagged.getDecision() != Decision.APPROVE, "a 4,000 EUR payment is flagged: " + flagged.getScore());
        final var ensemble = dev.fraudscorer.score.TreeEnsemble.fromJson(ModelBundle.readFrom(GOLDEN).model());
        final List<String> names = dev.fraudscorer.features.FeatureSpec.handbook().names();
        final double[] x = names.stream().mapToDouble(n -> flagged.getFeatures().get(n)).toArray();
        final double[] phi = ensemble.contributions(x);
        final List<Integer> top = java.util.stream.IntStream.range(0, x.length).boxed()
                .sorted((a, b) -> Double.compare(phi[b], phi[a])).limit(3).toList();
        assertEquals(top.stream().map(names::get).toList(),
                flagged.getReasonCodes().stream().map(r -> r.getFeature()).toList());
        assertEquals("TX_AMOUNT", flagged.getReasonCodes().get(0).getFeature(), "the amount drives this one");
        assertEquals(4_000.0, flagged.getReasonCodes().get(0).getValue());
        assertEquals(phi[top.get(0)], flagged.getReasonCodes().get(0).getContribution(), 1e-12);
    }

    @Test
    void aBundleWithInputStatisticsFlagsAnOutlierAndNamesTheFeature() throws Exception {
        final ModelBundle screenedBundle = TestBundles.screened(null);
        final Manifest screened = screenedBundle.manifest();
        publish(1, screenedBundle.toBytes());
        promote(1);
        send("c-1", tx("t-1", "c-1", 500_000.0));

        final Verdict v = VERDICT.deserializer().deserialize("", verdicts.readValue());
        assertTrue(v.getOutlier());
        assertTrue(v.getOutlierFeatures().contains("TX_AMOUNT"), v.getOutlierFeatures().toString());
        assertTrue(v.getAnomalyScore() > screened.screening().outlierThreshold());
        assertTrue(v.getReviewRequired());
    }

    @Test
    void verdictsCarryTheCustomerFeaturesComputedFromTheCustomersHistory() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final Instant t0 = Instant.parse("2018-08-09T10:00:00Z");
        send("c-1", at(tx("1", "c-1", 10.0), t0));
        send("c-2", at(tx("2", "c-2", 99.0), t0.plusSeconds(60)));
        send("c-1", at(tx("3", "c-1", 30.0), t0.plusSeconds(3600)));

        final List<Verdict> out = verdicts.readValuesToList().stream()
                .map(v -> VERDICT.deserializer().deserialize("", v)).toList();
        final Verdict third = out.get(2);
        assertEquals(15, third.getFeatures().size());
        assertEquals(2.0, feature(third, "CUSTOMER_ID_NB_TX_1DAY_WINDOW"));
        assertEquals(20.0, feature(third, "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW"));
        assertEquals(30.0, feature(third, "TX_AMOUNT"));
        assertEquals(1.0, feature(out.get(1), "CUSTOMER_ID_NB_TX_30DAY_WINDOW"));
    }

    @Test
    void terminalRiskCountsAFraudOnceItsLabelHasArrivedAndTheTransactionIsAWeekOld() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final Instant t0 = Instant.parse("2018-08-01T10:00:00Z");
        send("a", at(tx("1", "a", 10.0), t0));
        send("b", at(tx("2", "b", 10.0), t0.plusSeconds(60)));
        final Instant week = t0.plusMillis(7 * DAY + HOUR);
        send("c", at(tx("3", "c", 10.0), week));
        // The label of tx 1 arrives late: after tx 3 was scored.
        labels.pipeInput(new TestRecord<>("term-9".getBytes(StandardCharsets.UTF_8), LABEL.serializer().serialize("",
                FraudLabel.newBuilder().setTransactionId("1").setCustomerId("a").setTerminalId("term-9")
                        .setTransactionTime(t0).setFraud(true).setLabelledAt(week).build())));
        send("d", at(tx("4", "d", 10.0), week.plusSeconds(1)));

        final List<Verdict> out = verdicts.readValuesToList().stream()
                .map(v -> VERDICT.deserializer().deserialize("", v)).toList();
        assertEquals(0.0, feature(out.get(0), "TERMINAL_ID_NB_TX_30DAY_WINDOW"), "a terminal with no history");
        assertEquals(0.0, feature(out.get(0), "TERMINAL_ID_RISK_30DAY_WINDOW"));
        assertEquals(2.0, feature(out.get(2), "TERMINAL_ID_NB_TX_1DAY_WINDOW"));
        assertEquals(0.0, feature(out.get(2), "TERMINAL_ID_RISK_1DAY_WINDOW"), "label not arrived yet");
        assertEquals(2.0, feature(out.get(3), "TERMINAL_ID_NB_TX_1DAY_WINDOW"));
        assertEquals(0.5, feature(out.get(3), "TERMINAL_ID_RISK_1DAY_WINDOW"), "label arrived");
    }

    @Test
    void aTransactionNotKeyedByItsCustomerIsADeadLetter() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        send("someone-else", tx("t-1", "c-1", 10.0));
        assertEquals("KEY_NOT_CUSTOMER_ID", header(deadLetters.readRecord().headers(), DeadLetter.REASON));
    }

    @Test
    void anUnreadableLabelIsADeadLetterAndLabelsKeepFlowing() {
        final byte[] garbage = {1, 2, 3};
        labels.pipeInput(new TestRecord<>("term-9".getBytes(StandardCharsets.UTF_8), garbage));
        final var dead = deadLetters.readRecord();
        assertEquals("DESERIALIZATION_FAILED", header(dead.headers(), DeadLetter.REASON));
        assertEquals(Topics.FRAUD_LABELS.name(), header(dead.headers(), DeadLetter.SOURCE_TOPIC));
        assertArrayEquals(garbage, dead.value());
    }

    @Test
    void aVersionWhoseFeatureSpecThisScorerCannotComputeIsRejected() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final ModelBundle golden = ModelBundle.readFrom(GOLDEN);
        final Manifest m = golden.manifest();
        final List<FeatureDef> defs = new ArrayList<>(m.featureSpec().features());
        defs.set(7, FeatureDef.windowed("CUSTOMER_ID_NB_TX_90DAY_WINDOW", FeatureKind.COUNT, Entity.CUSTOMER_ID, 90, 0));
        final Manifest wider = new Manifest(m.formatVersion(), m.modelName(), new FeatureSpec(defs), m.modelFile(),
                m.modelSha256(), m.objective(), m.params(), m.rounds(), m.training(), m.metrics(), m.protocol(),
                m.thresholds(), m.referenceRows(), m.versions(), m.screening());
        publish(2, new ModelBundle(wider, golden.model()).toBytes());
        promote(2);
        send("c-1", tx("t-1", "c-1", 30.0));

        assertEquals(1, VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion());
        assertEquals(List.of("fraud/2"), rejections);
    }

    private static double feature(Verdict v, String name) {
        return v.getFeatures().get(name);
    }

    private static Transaction at(Transaction tx, Instant time) {
        return Transaction.newBuilder(tx).setEventTime(time).build();
    }

    @Test
    void tamperedUnsignedAndStrangerSignedVersionsAreRejectedBeforeParsingAndTheOldOneKeepsServing() throws Exception {
        publish(1, goldenBytes());
        promote(1);
        final byte[] good = goldenBytes();
        final byte[] tampered = good.clone();
        tampered[tampered.length / 2] ^= 1;
        // Signed, then changed: the registry's sha256 is recomputed as an attacker would, the signature is not.
        publish(2, tampered, ModelBundle.sha256(tampered), good, TestKeys.TRAINER);
        publish(3, good, TestKeys.STRANGER);
        publish(4, good, ModelBundle.sha256(good), null, null);

        for (int v = 2; v <= 4; v++) {
            promote(v);
            send("c-" + v, tx("t-" + v, "c-" + v, 30.0));
            assertEquals(1, VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion(),
                    "still version 1 after promoting " + v);
        }
        assertEquals(List.of("fraud/2", "fraud/3", "fraud/4"), rejections);
    }

    @Test
    void aReplayedOlderControlRecordChangesNothing() throws Exception {
        publish(1, goldenBytes());
        publish(2, goldenBytes());
        final byte[] first = control(ModelControl.newBuilder().setActiveVersion(1));
        promote(2);
        control.pipeInput("fraud", first);
        send("c-1", tx("t-1", "c-1", 30.0));

        assertEquals(2, VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion());
        assertEquals(List.of("fraud/control@1"), rejections);
    }

    @Test
    void aRecordUnderAnotherGenerationsKeyIsRefusedSoCompactionCannotEraseThatGeneration() throws Exception {
        publish(1, goldenBytes());
        publish(2, goldenBytes());
        promote(1);
        // Keyed as the CLI keys them (<model>/<generation>): applied, and the store holds it under the model name.
        final byte[] second = CONTROL.serializer().serialize("", ModelControl.newBuilder().setModelName("fraud")
                .setActiveVersion(2).setIssuedBy("test").setReason("test").setIssuedAt(NOW).setGeneration(++generation)
                .build());
        control.pipeInput("fraud/" + generation, second);
        send("c-1", tx("t-1", "c-1", 30.0));
        assertEquals(2, VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion());
        // Generation 3's content under generation 2's key: compacted, it would erase generation 2. Refused.
        control.pipeInput("fraud/2", CONTROL.serializer().serialize("", ModelControl.newBuilder().setModelName("fraud")
                .setActiveVersion(1).setIssuedBy("x").setReason("x").setIssuedAt(NOW).setGeneration(3).build()));
        // A tombstone of one generation's key forgets nothing that serves.
        control.pipeInput("fraud/" + generation, (byte[]) null);
        send("c-1", tx("t-2", "c-1", 30.0));
        assertEquals(2, VERDICT.deserializer().deserialize("", verdicts.readValue()).getModelVersion());
        assertEquals(List.of("fraud/control@3"), rejections);
    }

    @Test
    void aCanaryTakesItsShareOfKeysAndAKeyAlwaysGetsTheSameVersion() throws Exception {
        publish(1, goldenBytes());
        publish(2, goldenBytes());
        control(ModelControl.newBuilder().setActiveVersion(1).setCanaryVersion(2).setCanaryPercent(10));
        final int keys = 10_000;
        final java.util.Map<String, Integer> first = new java.util.HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < keys; i++) {
                send("c-" + i, tx("t-" + round + "-" + i, "c-" + i, 30.0));
            }
            for (Verdict v : verdicts.readValuesToList().stream().map(b -> VERDICT.deserializer().deserialize("", b)).toList()) {
                final Integer before = first.putIfAbsent(v.getCustomerId(), v.getModelVersion());
                assertTrue(before == null || before == v.getModelVersion(), "key " + v.getCustomerId() + " moved");
            }
        }
        final long canary = first.values().stream().filter(v -> v == 2).count();
        assertTrue(canary >= 800 && canary <= 1200, "10% ± 2% of 10,000 keys on the canary: " + canary);
    }

    @Test
    void aShadowScoresBesideTheDecisionInHeaders() throws Exception {
        publish(1, goldenBytes());
        publish(2, goldenBytes());
        control(ModelControl.newBuilder().setActiveVersion(1).setShadowVersion(2));
        send("c-1", tx("t-1", "c-1", 30.0));

        final var record = verdicts.readRecord();
        final Verdict verdict = VERDICT.deserializer().deserialize("", record.value());
        assertEquals(1, verdict.getModelVersion());
        assertEquals("2", header(record.headers(), "shadow.model.version"));
        assertEquals(verdict.getScore(), Double.parseDouble(header(record.headers(), "shadow.score")), 1e-12,
                "same bundle, same score");
        assertEquals(verdict.getDecision().name(), header(record.headers(), "shadow.decision"));
    }

    static byte[] goldenBytes() throws Exception {
        return ModelBundle.readFrom(GOLDEN).toBytes();
    }

    private void publish(int version, byte[] bundle) {
        publish(version, bundle, TestKeys.TRAINER);
    }

    private void publish(int version, byte[] bundle, java.security.KeyPair signer) {
        publish(version, bundle, ModelBundle.sha256(bundle), bundle, signer);
    }

    /** A registry record as anyone with topic access could write it: any sha256, any signed bytes, or unsigned. */
    private void publish(int version, byte[] bundle, String sha256, byte[] signedBytes, java.security.KeyPair signer) {
        final ModelVersion.Builder record = ModelVersion.newBuilder().setModelName("fraud").setVersion(version)
                .setBundle(ByteBuffer.wrap(bundle)).setBundleSha256(sha256).setPublishedAt(NOW).setPublishedBy("test");
        if (signer != null) {
            record.setSignature(ByteBuffer.wrap(BundleSigning.sign(signer.getPrivate(), signedBytes)))
                    .setSignedBy(BundleSigning.keyId(signer.getPublic()));
        }
        registry.pipeInput("fraud/" + version, VERSION.serializer().serialize("", record.build()));
    }

    private long generation;

    private void promote(int version) {
        control(ModelControl.newBuilder().setActiveVersion(version));
    }

    /** Pipes the next control record, generation raised as the CLI does; returns its bytes. */
    private byte[] control(ModelControl.Builder record) {
        final byte[] bytes = CONTROL.serializer().serialize("", record.setModelName("fraud").setIssuedBy("test")
                .setReason("test").setIssuedAt(NOW).setGeneration(++generation).build());
        control.pipeInput("fraud", bytes);
        return bytes;
    }

    private void label(String txId, String customer, Instant txTime, boolean fraud) {
        labels.pipeInput(new TestRecord<>("term-9".getBytes(StandardCharsets.UTF_8), LABEL.serializer().serialize("",
                FraudLabel.newBuilder().setTransactionId(txId).setCustomerId(customer).setTerminalId("term-9")
                        .setTransactionTime(txTime).setFraud(fraud).setLabelledAt(txTime.plusSeconds(3600)).build())));
    }

    private void send(String key, Transaction tx) {
        transactions.pipeInput(new TestRecord<>(key.getBytes(StandardCharsets.UTF_8), TX.serializer().serialize("", tx)));
    }

    static Transaction tx(String id, String customer, double amount) {
        return Transaction.newBuilder().setTransactionId(id).setEventTime(Instant.parse("2018-08-09T10:15:00Z"))
                .setCustomerId(customer).setTerminalId("term-9").setAmount(amount).build();
    }

    private static String header(Headers headers, String key) {
        final var h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
