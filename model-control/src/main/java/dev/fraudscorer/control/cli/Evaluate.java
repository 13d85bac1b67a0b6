package dev.fraudscorer.control.cli;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.eval.HandbookEvaluation;
import dev.fraudscorer.features.Entity;
import dev.fraudscorer.features.FeatureSpec;
import dev.fraudscorer.features.OfflineFeatures;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.score.TreeEnsemble;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import dev.fraudscorer.validate.TransactionRules;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Judges a published version on what really came through Kafka before it serves: the {@code transactions} and
 * {@code fraud-labels} topics read from the beginning (no consumer group, nothing written), features rebuilt by the
 * one engine in event-time order with each fraud label counted from when it was sent ({@code labelledAt}), as the
 * live scorer's state had them, and the candidate scored beside the active version on the same transactions.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score VERSION and the active version (or --against) on the transactions of [--from, --to) read"
                + " back from the topics, with labels from fraud-labels; print ROC-AUC / AP / CP@100 and decisions."
                + " Writes nothing.")
final class Evaluate implements Callable<Integer> {

    /** Longest a read may go without progress before it gives up (the broker is gone, say). */
    private static final Duration STALL = Duration.ofSeconds(30);

    @Mixin
    ModelControlMain.Connection connection;
    @Parameters(paramLabel = "VERSION", description = "The candidate: a published version.")
    int version;
    @Option(names = "--against", description = "Version to compare with. Default: the active version.")
    Integer against;
    @Option(names = "--from", required = true, description = "First day evaluated (UTC, event time), YYYY-MM-DD.")
    LocalDate from;
    @Option(names = "--to", required = true, description = "End day (exclusive), YYYY-MM-DD.")
    LocalDate to;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!from.isBefore(to)) {
            throw new ModelControlMain.UsageError("--from " + from + " must be before --to " + to);
        }
        final int baseline = against != null ? against : connection.current().getActiveVersion();
        if (baseline == version) {
            throw new ModelControlMain.UsageError("version " + version + " is the one compared against; pass"
                    + " --against OTHER");
        }
        final ModelBundle candidate = bundle(version);
        final ModelBundle reference = bundle(baseline);
        final long fromMs = from.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        final long toMs = to.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        final int historyDays = Math.max(historyDays(candidate.manifest().featureSpec()),
                historyDays(reference.manifest().featureSpec()));
        final long historyFromMs = fromMs - historyDays * 24L * 3600 * 1000;
        final PrintWriter out = spec.commandLine().getOut();

        final long started = System.nanoTime();
        final Deserializer<FraudLabel> labels = AvroSerdes.<FraudLabel>values(connection.registryUrl).deserializer();
        final long[] unreadable = {0, 0};
        readToEnd(Topics.FRAUD_LABELS.name(), (topic, value) -> {
            final FraudLabel l = decode(labels, topic, value, unreadable, 1);
            if (l != null && l.getFraud()) {
                labelTimes.merge(l.getTransactionId(), l.getLabelledAt().toEpochMilli(), Math::min);
            }
        });
        final Deserializer<Transaction> transactions = AvroSerdes.<Transaction>values(connection.registryUrl).deserializer();
        final List<DatasetRow> rows = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        readToEnd(Topics.TRANSACTIONS.name(), (topic, value) -> {
            final Transaction tx = decode(transactions, topic, value, unreadable, 0);
            if (tx == null || !scoreable(tx)) {
                return;
            }
            final long t = tx.getEventTime().toEpochMilli();
            // A transaction sent twice (a replayed dead letter) is one entry in the live state too.
            if (t >= historyFromMs && t < toMs && seen.add(tx.getTransactionId())) {
                rows.add(new DatasetRow(tx.getTransactionId(), t, tx.getCustomerId(), tx.getTerminalId(), tx.getAmount(),
                        labelTimes.containsKey(tx.getTransactionId()), 0));
            }
        });
        rows.sort(OfflineFeatures.ENGINE_ORDER);
        final List<Integer> evaluated = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).eventTimeMs() >= fromMs) {
                evaluated.add(i);
            }
        }
        if (evaluated.isEmpty()) {
            throw new ModelControlMain.UsageError("no transactions with event time in [" + from + ", " + to + ") on "
                    + Topics.TRANSACTIONS.name() + "; choose a range that has been replayed");
        }
        final long frauds = evaluated.stream().filter(i -> rows.get(i).fraud()).count();
        out.printf("%s: version %d against version %d on %,d transactions of %s..%s (event time; %,d earlier ones fill"
                        + " the %d-day windows), %,d labelled fraud; read in %.1f s%s%n", connection.modelName, version,
                baseline, evaluated.size(), from, to.minusDays(1), rows.size() - evaluated.size(), historyDays, frauds,
                (System.nanoTime() - started) / 1e9, unreadable[0] + unreadable[1] == 0 ? ""
                        : String.format(" (%,d transactions and %,d labels unreadable, skipped)", unreadable[0],
                        unreadable[1]));
        out.printf("  %-24s %8s %8s %8s %9s %9s %9s%n", "", "ROC-AUC", "AP", "CP@100", "APPROVE", "REVIEW", "DECLINE");
        final Manifest.Thresholds.Band[] a = print(out, "version " + baseline + (against == null ? " (active)" : ""),
                reference, rows, evaluated);
        final Manifest.Thresholds.Band[] b = print(out, "version " + version + " (candidate)", candidate, rows,
                evaluated);
        int agree = 0;
        for (int i = 0; i < a.length; i++) {
            agree += a[i] == b[i] ? 1 : 0;
        }
        out.printf("decisions agree on %.2f%% of them; frauds are the labels on %s now (later labels count as"
                + " genuine); nothing was written%n", 100.0 * agree / a.length, Topics.FRAUD_LABELS.name());
        return 0;
    }

    private ModelBundle bundle(int v) {
        final ModelVersion published = connection.version(v).orElseThrow(() -> new ModelControlMain.UsageError(
                "version " + v + " of model '" + connection.modelName + "' is not published; see 'model-control list'"));
        return ModelBundle.fromBytes(published.getBundle().array());
    }

    private static int historyDays(FeatureSpec spec) {
        return Math.max(spec.historyDays(Entity.CUSTOMER_ID), spec.historyDays(Entity.TERMINAL_ID));
    }

    /** The scorer's checks at its default limits (what failed them was dead-lettered, not scored). */
    private static final TransactionRules RULES = TransactionRules.defaults(java.time.Clock.systemUTC());

    private static boolean scoreable(Transaction tx) {
        return RULES.check(tx.getTransactionId(), tx.getCustomerId(), tx.getTerminalId(), tx.getAmount(),
                tx.getEventTime().toEpochMilli()).isEmpty();
    }

    private Manifest.Thresholds.Band[] print(PrintWriter out, String name, ModelBundle bundle, List<DatasetRow> rows,
                                             List<Integer> evaluated) {
        final FeatureSpec featureSpec = bundle.manifest().featureSpec();
        final double[][] features = OfflineFeatures.compute(rows, featureSpec,
                i -> labelKnownAt(rows.get(i)), n -> { });
        final TreeEnsemble model = TreeEnsemble.fromJson(bundle.model());
        final List<HandbookEvaluation.Scored> scored = new ArrayList<>(evaluated.size());
        final Manifest.Thresholds.Band[] bands = new Manifest.Thresholds.Band[evaluated.size()];
        final Map<Manifest.Thresholds.Band, Long> counts = new EnumMap<>(Manifest.Thresholds.Band.class);
        for (int k = 0; k < evaluated.size(); k++) {
            final DatasetRow row = rows.get(evaluated.get(k));
            final double score = model.predict(features[evaluated.get(k)]);
            scored.add(new HandbookEvaluation.Scored(row.customerId(), row.eventTimeMs(), score, row.fraud()));
            bands[k] = bundle.manifest().thresholds().band(score);
            counts.merge(bands[k], 1L, Long::sum);
        }
        final HandbookEvaluation.Result r = HandbookEvaluation.evaluate(scored);
        out.printf("  %-24s %8.4f %8.4f %8.4f %,9d %,9d %,9d   (%d features)%n", name, r.rocAuc(), r.averagePrecision(),
                r.cardPrecisionAtK(), counts.getOrDefault(Manifest.Thresholds.Band.APPROVE, 0L),
                counts.getOrDefault(Manifest.Thresholds.Band.REVIEW, 0L),
                counts.getOrDefault(Manifest.Thresholds.Band.DECLINE, 0L), featureSpec.size());
        return bands;
    }

    /** When each fraud's label was sent (its labelledAt), filled before features are computed. */
    private final Map<String, Long> labelTimes = new HashMap<>();

    private long labelKnownAt(DatasetRow row) {
        return labelTimes.getOrDefault(row.transactionId(), Long.MAX_VALUE);
    }

    private static <T> T decode(Deserializer<T> deserializer, String topic, byte[] value, long[] unreadable, int slot) {
        if (value == null) {
            return null;
        }
        try {
            return deserializer.deserialize(topic, value);
        } catch (RuntimeException e) {
            unreadable[slot]++;
            return null;
        }
    }

    /** Every record of {@code topic} up to its end when the read starts, read_committed, without a consumer group. */
    private void readToEnd(String topic, BiConsumer<String, byte[]> each) {
        final Properties props = new Properties();
        props.putAll(connection.client());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, STALL).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, STALL);
            long lastProgress = System.nanoTime();
            while (partitions.stream().anyMatch(p -> consumer.position(p, STALL) < end.get(p))) {
                final var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    throw new IllegalStateException("no progress reading " + topic + " for " + STALL.toSeconds()
                            + " s; is the broker up?");
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(topic, r.value());
                    }
                }
            }
        }
    }
}
