package dev.fraudscorer.scorer;

import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves, at start and off the stream threads, the schemas the scorer's first records need: the latest version of
 * each topic it writes, and of each topic it reads (the version producers write). The serdes share their schema cache
 * process-wide ({@link AvroSerdes}), so the first transaction, label and verdict of every task then find their schema
 * in memory instead of waiting on an HTTP lookup on the stream thread. Best effort: a registry that does not answer
 * is logged, and the records fall back to resolving it themselves, bounded as always.
 */
final class RegistryPrefetch {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryPrefetch.class);

    private RegistryPrefetch() {
    }

    static void start(String registryUrl) {
        final Thread thread = new Thread(() -> run(registryUrl), "registry-prefetch");
        thread.setDaemon(true);
        thread.start();
    }

    static void run(String registryUrl) {
        final long start = System.nanoTime();
        final Instant t = Instant.parse("2018-04-01T00:00:00Z");
        try {
            roundTrip(registryUrl, Topics.TRANSACTIONS.name(), Transaction.newBuilder().setTransactionId("prefetch")
                    .setEventTime(t).setCustomerId("prefetch").setTerminalId("prefetch").setAmount(1).build());
            roundTrip(registryUrl, Topics.FRAUD_LABELS.name(), FraudLabel.newBuilder().setTransactionId("prefetch")
                    .setCustomerId("prefetch").setTerminalId("prefetch").setTransactionTime(t).setFraud(false)
                    .setLabelledAt(t).build());
            roundTrip(registryUrl, Topics.VERDICTS.name(), Verdict.newBuilder().setTransactionId("prefetch")
                    .setCustomerId("prefetch").setTerminalId("prefetch").setEventTime(t).setScore(0)
                    .setDecision(Decision.APPROVE).setOutlier(false).setAnomalyScore(0).setReviewRequired(false)
                    .setReasonCodes(List.of()).setModelName("prefetch").setModelVersion(0).setScoredAt(t).build());
            LOG.info("resolved the schemas of the first records in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("could not resolve schemas ahead of the first records ({}); they will resolve them", e.toString());
        }
    }

    /** Writes with the latest version, as producers do, and reads it back: both sides' caches now hold it. */
    private static <T extends SpecificRecord> void roundTrip(String registryUrl, String topic, T sample) {
        try (Serde<T> serde = AvroSerdes.values(registryUrl)) {
            serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, sample));
        }
    }
}
