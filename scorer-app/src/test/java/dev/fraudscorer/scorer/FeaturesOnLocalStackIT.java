package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.data.DefaultDataset;
import dev.fraudscorer.features.FeatureSpec;
import dev.fraudscorer.features.OfflineFeatures;
import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Training/serving skew, tested: the first two weeks of the dataset replayed through the real topology on a real
 * broker and registry, with fraud labels arriving a day after their transactions, give for every transaction the
 * features the trainer computes offline (|Δ| ≤ 1e-9). Nothing is paced: the producer sends as fast as it can.
 * After five days the scorer is stopped and its local state deleted; the remaining nine days are sent while it is
 * down, so it restarts on state restored from the changelog and the terminal-events topic and then catches up on a
 * backlog longer than the 7-day label delay: the case where the hot path would outrun the global thread feeding
 * terminal history if it did not wait for its watermark.
 */
class FeaturesOnLocalStackIT {

    private static final long DAY_MS = 24L * 3600 * 1000;
    /** Trained with 'trainer-job train --features recommended' (see the README): the kinds beyond the handbook's. */
    static final Path EXTENDED = Path.of("src/test/resources/extended-bundle");
    private static final Instant FROM = Instant.parse("2018-04-01T00:00:00Z");
    private static final Instant RESTART_AT = FROM.plusMillis(5 * DAY_MS);
    private static final Instant TO = FROM.plusMillis(14 * DAY_MS);
    /** Labels travel a day after their transaction; terminal features only read labels 7 days old. */
    private static final long LABEL_DELAY_MS = DAY_MS;

    @Test
    void onlineFeaturesEqualOfflineFeaturesForTwoWeeksAcrossARestartWithLostLocalStateAndANineDayBacklog() throws Exception {
        final List<DatasetRow> rows = new ArrayList<>();
        DatasetReader.read(DefaultDataset.require(), row -> {
            if (row.eventTimeMs() < TO.toEpochMilli()) {
                rows.add(row);
            }
        });
        rows.sort(OfflineFeatures.ENGINE_ORDER);
        // The extended bundle declares the handbook's 15 and the kinds beyond them: every kind is compared.
        final ModelBundle extended = ModelBundle.readFrom(EXTENDED);
        final FeatureSpec spec = extended.manifest().featureSpec();
        assertTrue(spec.names().containsAll(FeatureSpec.handbook().names()) && spec.size() > 15, spec.names().toString());
        final double[][] offline = OfflineFeatures.compute(rows, spec, FeatureSpec.HANDBOOK_DELAY_DAYS, n -> { });

        final Path dir = Files.createTempDirectory(Path.of("target"), "features-stack-");
        try (LocalStack stack = LocalStack.start(LocalStack.Options.freePorts(dir))) {
            final String key = TestKeys.writeTrainer(dir.resolve("keys")).toString();
            assertEquals(0, ScorerCluster.cli(stack, "publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key",
                    key).code());
            assertEquals(0, ScorerCluster.cli(stack, "publish", EXTENDED.toString(), "--signing-key", key).code());
            assertEquals(0, ScorerCluster.cli(stack, "promote", "2").code());
            final Path state = dir.resolve("scorer-state");
            final Map<String, Verdict> verdicts = new HashMap<>();
            final Map<String, Integer> counts = new HashMap<>();
            final ArrayDeque<DatasetRow> labels = new ArrayDeque<>();
            final int half = indexOfFirstAtOrAfter(rows, RESTART_AT.toEpochMilli());
            final ScorerMetrics metrics = ScorerMetrics.discarding();

            KafkaStreams scorer = startScorer(stack, state, metrics);
            try {
                produce(stack, rows.subList(0, half), labels);
                collect(stack, verdicts, counts, half);
            } finally {
                scorer.close(Duration.ofSeconds(30));
            }
            // Lose the local state: the second week must run on what Kafka restores.
            Utils.delete(state.toFile());
            produce(stack, rows.subList(half, rows.size()), labels);
            scorer = startScorer(stack, state, metrics);
            try {
                collect(stack, verdicts, counts, rows.size());
                assertEquals(KafkaStreams.State.RUNNING, scorer.state());
            } finally {
                scorer.close(Duration.ofSeconds(30));
            }

            assertEquals(rows.size(), verdicts.size(), "one verdict per transaction");
            assertTrue(counts.values().stream().allMatch(n -> n == 1), "no duplicates across the restart");
            double maxDelta = 0;
            int nonZeroTerminalRisk = 0;
            for (int i = 0; i < rows.size(); i++) {
                final Map<String, Double> online = verdicts.get(rows.get(i).transactionId()).getFeatures();
                for (int f = 0; f < spec.size(); f++) {
                    final Double value = online.get(spec.names().get(f));
                    final double delta = value == null ? Double.POSITIVE_INFINITY : Math.abs(value - offline[i][f]);
                    if (delta > maxDelta) {
                        maxDelta = delta;
                        assertTrue(delta <= 1e-9, "transaction " + rows.get(i).transactionId() + " feature "
                                + spec.names().get(f) + ": online " + value + " offline " + offline[i][f]);
                    }
                }
                nonZeroTerminalRisk += offline[i][spec.names().indexOf("TERMINAL_ID_RISK_7DAY_WINDOW")] > 0 ? 1 : 0;
            }
            assertTrue(nonZeroTerminalRisk > 100, "the comparison covers labelled terminal risk: " + nonZeroTerminalRisk);
            final var waits = metrics.registry().find("fraud_terminal_history_wait").timers();
            waits.forEach(t -> System.out.printf("terminal history waits %s: %d, total %.1f s%n", t.getId().getTag("outcome"),
                    t.count(), t.totalTime(java.util.concurrent.TimeUnit.SECONDS)));
            System.out.printf("online == offline for %,d transactions x %d features, max |Δ| = %g%n", rows.size(),
                    spec.size(), maxDelta);

            // The golden version judged on what came through the topics, beside the one serving: its figures must be
            // those of the same model on the offline features (every label of the range was sent: a day late).
            final ScorerCluster.CliResult evaluated = ScorerCluster.cli(stack, "evaluate", "1", "--from", "2018-04-07",
                    "--to", "2018-04-14");
            System.out.print(evaluated.out());
            assertEquals(0, evaluated.code(), evaluated.err());
            assertTrue(evaluated.out().contains(expectedLine("version 1 (candidate)", ScorerTopologyTest.GOLDEN, rows)),
                    evaluated.out());
            assertTrue(evaluated.out().contains(expectedLine("version 2 (active)", EXTENDED, rows)), evaluated.out());
        }
    }

    /** The evaluate command's figures for {@code bundle} on 2018-04-07..13, computed here from offline features. */
    private static String expectedLine(String name, Path bundle, List<DatasetRow> rows) throws java.io.IOException {
        final ModelBundle b = ModelBundle.readFrom(bundle);
        final double[][] x = OfflineFeatures.compute(rows, b.manifest().featureSpec(), FeatureSpec.HANDBOOK_DELAY_DAYS,
                n -> { });
        final dev.fraudscorer.score.TreeEnsemble model = dev.fraudscorer.score.TreeEnsemble.fromJson(b.model());
        final long from = Instant.parse("2018-04-07T00:00:00Z").toEpochMilli();
        final long to = Instant.parse("2018-04-14T00:00:00Z").toEpochMilli();
        final List<dev.fraudscorer.eval.HandbookEvaluation.Scored> scored = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            final DatasetRow r = rows.get(i);
            if (r.eventTimeMs() >= from && r.eventTimeMs() < to) {
                scored.add(new dev.fraudscorer.eval.HandbookEvaluation.Scored(r.customerId(), r.eventTimeMs(),
                        model.predict(x[i]), r.fraud()));
            }
        }
        final var result = dev.fraudscorer.eval.HandbookEvaluation.evaluate(scored);
        return String.format("  %-24s %8.4f %8.4f %8.4f", name, result.rocAuc(), result.averagePrecision(),
                result.cardPrecisionAtK());
    }

    private static KafkaStreams startScorer(LocalStack stack, Path state, ScorerMetrics metrics) {
        final Map<String, String> settings = ScorerCluster.connection(stack);
        settings.put(ScorerConfig.APPLICATION_ID, "fraud-scorer-features-it");
        settings.put(ScorerConfig.STATE_DIR, state.toString());
        final KafkaStreams streams = ScorerMain.createStreams(new ScorerConfig(settings),
                new ModelCache(TestKeys.trusted(), new ScorerConfig(Map.of()).featureCapabilities(), (k, r) -> { }), metrics);
        streams.start();
        return streams;
    }

    /** Transactions keyed by customer in engine order; each fraud label once the replay is a day past it. */
    private static void produce(LocalStack stack, List<DatasetRow> rows, ArrayDeque<DatasetRow> labels) {
        final Serde<Transaction> txSerde = AvroSerdes.values(stack.registryUrl());
        final Serde<FraudLabel> labelSerde = AvroSerdes.values(stack.registryUrl());
        final Properties props = ScorerCluster.client(stack, Access.Role.PRODUCER);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (DatasetRow row : rows) {
                while (!labels.isEmpty() && labels.peek().eventTimeMs() + LABEL_DELAY_MS <= row.eventTimeMs()) {
                    final DatasetRow l = labels.poll();
                    producer.send(new ProducerRecord<>(Topics.FRAUD_LABELS.name(), l.terminalId(),
                            labelSerde.serializer().serialize(Topics.FRAUD_LABELS.name(), FraudLabel.newBuilder()
                                    .setTransactionId(l.transactionId()).setCustomerId(l.customerId())
                                    .setTerminalId(l.terminalId()).setTransactionTime(Instant.ofEpochMilli(l.eventTimeMs()))
                                    .setFraud(true).setLabelledAt(Instant.ofEpochMilli(l.eventTimeMs() + LABEL_DELAY_MS))
                                    .setFraudScenario(l.fraudScenario()).build())));
                }
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), row.customerId(),
                        txSerde.serializer().serialize(Topics.TRANSACTIONS.name(), Transaction.newBuilder()
                                .setTransactionId(row.transactionId()).setEventTime(Instant.ofEpochMilli(row.eventTimeMs()))
                                .setCustomerId(row.customerId()).setTerminalId(row.terminalId())
                                .setAmount(row.amount()).build())));
                if (row.fraud()) {
                    labels.add(row);
                }
            }
        }
    }

    /** Reads verdicts (read_committed) until {@code expected} distinct transactions have one. */
    private static void collect(LocalStack stack, Map<String, Verdict> verdicts, Map<String, Integer> counts,
                                int expected) {
        final Serde<Verdict> serde = AvroSerdes.values(stack.registryUrl());
        final Properties props = ScorerCluster.client(stack, Access.Role.CONSUMER);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        final long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.VERDICTS.name()).forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            counts.clear();
            while (counts.size() < expected && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    final Verdict v = serde.deserializer().deserialize(record.topic(), record.value());
                    verdicts.put(v.getTransactionId(), v);
                    counts.merge(v.getTransactionId(), 1, Integer::sum);
                }
            }
        }
        assertEquals(expected, counts.size(), "verdicts within 4 minutes");
    }

    private static int indexOfFirstAtOrAfter(List<DatasetRow> rows, long timeMs) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).eventTimeMs() >= timeMs) {
                return i;
            }
        }
        return rows.size();
    }
}
