package dev.fraudscorer.scorer;

import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ActiveModelResolver;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.control.ModelStores;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.score.ScoreProcessor;
import dev.fraudscorer.scorer.score.Tracing;
import dev.fraudscorer.scorer.features.FeatureStores;
import dev.fraudscorer.scorer.features.TerminalHistory;
import dev.fraudscorer.scorer.features.ToTerminalEvents;
import dev.fraudscorer.scorer.validate.DeadLetterProcessor;
import dev.fraudscorer.scorer.validate.LabelProcessor;
import dev.fraudscorer.scorer.validate.Routed;
import dev.fraudscorer.scorer.validate.TransactionValidator;
import dev.fraudscorer.scorer.validate.ValidateProcessor;
import dev.fraudscorer.topics.Topics;
import dev.fraudscorer.scorer.verdict.LabelOutcomeProcessor;
import dev.fraudscorer.scorer.verdict.TaskCustomers;
import dev.fraudscorer.scorer.verdict.VerdictOutcomes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The scorer's topology, built by one function for {@code main} and tests alike:
 * transactions → validate → features → score → fraud-verdicts, with every failure → transactions-dlq; valid
 * transactions and fraud-labels also feed terminal history (scorer-terminal-events → a global store).
 * Keys stay the input's bytes end to end, so a verdict lands on the same partition number as its transaction.
 */
public final class ScorerTopology {

    /**
     * The Avro serdes the topology needs: Apicurio-backed in production, registry-free in unit tests. Deserializers
     * are made per processor instance because they are not thread-safe (Kafka gives each consumer its own); the
     * verdict serializer is shared, as a producer's is.
     */
    public record AvroCodecs(Supplier<Deserializer<Transaction>> transactions, Serde<Verdict> verdicts,
                             Supplier<Deserializer<ModelControl>> controls, Supplier<Deserializer<ModelVersion>> versions,
                             Supplier<Deserializer<FraudLabel>> labels) {
    }

    private ScorerTopology() {
    }

    public static Topology build(ScorerConfig config, AvroCodecs codecs, ModelCache cache, ScorerMetrics metrics,
                                 Clock clock) {
        return build(config, codecs, cache, metrics, clock, Tracing.off());
    }

    public static Topology build(ScorerConfig config, AvroCodecs codecs, ModelCache cache, ScorerMetrics metrics,
                                 Clock clock, Tracing tracing) {
        final StreamsBuilder builder = new StreamsBuilder();
        ModelStores.addTo(builder, codecs.controls(), codecs.versions(), cache, config.controlTrust());
        // One per topology, shared by its stream threads and its global thread.
        final TerminalHistory terminalHistory = TerminalHistory.create(
                Duration.ofDays(config.getInt(ScorerConfig.TERMINAL_MIN_DELAY_DAYS)),
                Duration.ofMillis(config.getLong(ScorerConfig.TERMINAL_MAX_WAIT_MS)),
                config.getInt(ScorerConfig.TERMINAL_CACHE_ENTITIES));
        FeatureStores.addTo(builder, config.getInt(ScorerConfig.TERMINAL_HISTORY_DAYS), terminalHistory);
        builder.addStateStore(VerdictOutcomes.storeBuilder());
        final TaskCustomers customers = new TaskCustomers();
        final long labelWindowMs = Duration.ofDays(config.getInt(ScorerConfig.LABEL_WINDOW_DAYS)).toMillis();
        final Produced<Bytes, byte[]> toTerminalEvents = Produced.with(Serdes.Bytes(), Serdes.ByteArray())
                .withStreamPartitioner(ToTerminalEvents.partitioner());
        final TransactionValidator validator = new TransactionValidator(config.getDouble(ScorerConfig.MAX_AMOUNT),
                config.getLong(ScorerConfig.MIN_EVENT_TIME_MS), config.getLong(ScorerConfig.MAX_FUTURE_MS), clock);
        final Produced<byte[], byte[]> toDeadLetters = Produced.with(Serdes.ByteArray(), Serdes.ByteArray());

        final Map<String, KStream<byte[], Routed<Transaction>>> validated = builder
                .stream(Topics.TRANSACTIONS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("transactions-source"))
                .processValues(() -> new ValidateProcessor(codecs.transactions().get(), validator), Named.as("validate"))
                .split(Named.as("validated-"))
                .branch((key, routed) -> routed.isOk(), Branched.as("ok"))
                .defaultBranch(Branched.as("invalid"));
        validated.get("validated-invalid")
                .processValues(() -> new DeadLetterProcessor<>(metrics::deadLetter), Named.as("invalid-to-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), toDeadLetters.withName("invalid-dead-letter-sink"));

        final KStream<byte[], Routed<Transaction>> valid = validated.get("validated-ok");
        // Terminal history for every instance; read back at least a day later (see FeatureStores).
        valid.process(() -> new ToTerminalEvents<Transaction>(
                        tx -> EntityHistory.transaction(tx.getTerminalId(), ScoreProcessor.inputOf(tx)),
                        tx -> tx.getEventTime().toEpochMilli(), clock, terminalHistory.recent()), Named.as(ToTerminalEvents.NODE))
                .to(Topics.TERMINAL_EVENTS.name(), toTerminalEvents.withName(ToTerminalEvents.SINK));
        final Map<String, KStream<byte[], Routed<Verdict>>> scored = valid
                .processValues(() -> new ScoreProcessor(new ActiveModelResolver(config.modelName(), codecs.controls().get(),
                        codecs.versions().get(), cache), metrics, clock, config.getInt(ScorerConfig.CUSTOMER_HISTORY_DAYS),
                        config.getInt(ScorerConfig.CUSTOMER_CACHE_ENTITIES),
                        terminalHistory, labelWindowMs, tracing, customers),
                        Named.as("score"), FeatureStores.CUSTOMER_STORE, VerdictOutcomes.STORE)
                .split(Named.as("scored-"))
                .branch((key, routed) -> routed.isOk(), Branched.as("ok"))
                .defaultBranch(Branched.as("failed"));
        scored.get("scored-failed")
                .processValues(() -> new DeadLetterProcessor<>(metrics::deadLetter), Named.as("failed-to-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), toDeadLetters.withName("failed-dead-letter-sink"));
        scored.get("scored-ok")
                .mapValues(Routed::value, Named.as("verdict"))
                .to(Topics.VERDICTS.name(), Produced.with(Serdes.ByteArray(), codecs.verdicts()).withName("verdict-sink"));
        addLabels(builder, codecs, metrics, clock, toTerminalEvents, terminalHistory, customers);
        return builder.build();
    }

    /** fraud-labels → terminal history, so terminal risk counts a fraud once its label has arrived. */
    private static void addLabels(StreamsBuilder builder, AvroCodecs codecs, ScorerMetrics metrics, Clock clock,
                                  Produced<Bytes, byte[]> toTerminalEvents, TerminalHistory terminalHistory,
                                  TaskCustomers customers) {
        final Map<String, KStream<byte[], Routed<FraudLabel>>> labels = builder
                .stream(Topics.FRAUD_LABELS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("labels-source"))
                .processValues(() -> new LabelProcessor(codecs.labels().get()), Named.as("label-validate"))
                .split(Named.as("labels-"))
                .branch((key, routed) -> routed.isOk(), Branched.as("ok"))
                .defaultBranch(Branched.as("invalid"));
        labels.get("labels-invalid")
                .processValues(() -> new DeadLetterProcessor<>(metrics::deadLetter), Named.as("label-to-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("label-dead-letter-sink"));
        labels.get("labels-ok")
                .process(() -> new ToTerminalEvents<FraudLabel>(label -> EntityHistory.label(label.getTerminalId(),
                        label.getTransactionTime().toEpochMilli(), label.getTransactionId(), label.getFraud()),
                        label -> label.getLabelledAt().toEpochMilli(), clock, terminalHistory.recent()), Named.as("label-entry"))
                .to(Topics.TERMINAL_EVENTS.name(), toTerminalEvents.withName("label-terminal-events-sink"));
        // Labels are keyed by terminal; re-keyed by customer they land on the partition, and so the task, that
        // scored the transaction, where its verdict waits in the customer's history.
        labels.get("labels-ok")
                .map((key, routed) -> KeyValue.pair(routed.value().getCustomerId().getBytes(StandardCharsets.UTF_8),
                        VerdictOutcomes.encodeLabel(routed.value().getTransactionTime().toEpochMilli(),
                                routed.value().getTransactionId(), routed.value().getFraud())), Named.as("label-by-customer"))
                .repartition(Repartitioned.<byte[], byte[]>as("labels-by-customer").withKeySerde(Serdes.ByteArray())
                        .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(Topics.TRANSACTIONS.partitions()))
                .process(() -> new LabelOutcomeProcessor(customers), Named.as("label-outcome"),
                        FeatureStores.CUSTOMER_STORE, VerdictOutcomes.STORE);
    }

}
