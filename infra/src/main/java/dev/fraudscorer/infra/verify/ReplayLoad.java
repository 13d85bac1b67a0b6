package dev.fraudscorer.infra.verify;

import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.infra.ReplayRecords;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Replays dataset rows to {@code transactions} at a steady rate, keyed by customer, each fraud label to
 * {@code fraud-labels} once the replay is an hour of event time past its transaction, and a bad record every so
 * often, and mutated records if asked. Every transaction record carries its id in the {@code verify.id} header. The producer is idempotent with
 * {@code acks=all}, so a broker loss neither loses nor doubles an input; a send that still fails is remembered and
 * that input is not expected.
 */
final class ReplayLoad implements Runnable {

    /**
     * Labels an hour of event time after their transaction, so even a short run has labels flowing. Terminal
     * features read labels of transactions at least 7 days old, which have all arrived with this delay or a day's,
     * so the offline features (labels 7 days late) stay the reference either way.
     */
    private static final long LABEL_DELAY_MS = 3600L * 1000;

    private final Map<String, Object> client;
    private final String registryUrl;
    private final List<DatasetRow> rows;
    private final int rate;
    private final int badEvery;
    private final int fuzz;
    private final Thread thread = new Thread(this, "replay-load");
    final Set<String> failed = ConcurrentHashMap.newKeySet();
    final Set<String> badIds = ConcurrentHashMap.newKeySet();
    /** Mutated records sent, by id, with the kind of mutation. */
    final Map<String, String> fuzzIds = new ConcurrentHashMap<>();
    volatile int sent;
    volatile long labels;
    volatile boolean done;
    volatile Throwable failure;

    /** @param fuzz mutated records to mix in, spread evenly over the transactions ({@link MutatedTransactions}) */
    ReplayLoad(Map<String, Object> client, String registryUrl, List<DatasetRow> rows, int rate, int badEvery, int fuzz) {
        this.client = client;
        this.registryUrl = registryUrl;
        this.rows = rows;
        this.rate = rate;
        this.badEvery = badEvery;
        this.fuzz = fuzz;
    }

    void start() {
        thread.setDaemon(true);
        thread.start();
    }

    double progress() {
        return rows.isEmpty() ? 1 : (double) sent / rows.size();
    }

    void join() throws InterruptedException {
        thread.join();
    }

    @Override
    public void run() {
        final Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000);
        final Serializer<Transaction> tx = AvroSerdes.<Transaction>values(registryUrl).serializer();
        final Serializer<FraudLabel> label = AvroSerdes.<FraudLabel>values(registryUrl).serializer();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            final ReplayRecords.PendingLabels pending = new ReplayRecords.PendingLabels(LABEL_DELAY_MS);
            final MutatedTransactions mutants = rows.isEmpty() ? null : new MutatedTransactions(tx, rows.get(0), 42);
            final long start = System.nanoTime();
            for (int i = 0; i < rows.size(); i++) {
                final DatasetRow row = rows.get(i);
                labels += pending.advance(row, l -> producer.send(new ProducerRecord<>(Topics.FRAUD_LABELS.name(),
                        l.getTerminalId(), label.serialize(Topics.FRAUD_LABELS.name(), l))));
                if (badEvery > 0 && i % badEvery == badEvery / 2) {
                    final String id = "bad-" + badIds.size();
                    badIds.add(id);
                    send(producer, row.customerId(), id, ReplayRecords.bad(tx, row, badIds.size()));
                }
                while (fuzzIds.size() < (long) fuzz * (i + 1) / rows.size()) {
                    final MutatedTransactions.Mutant m = mutants.next();
                    final String id = "fuzz-" + fuzzIds.size();
                    fuzzIds.put(id, m.kind());
                    send(producer, m.key(), id, m.value());
                }
                send(producer, row.customerId(), row.transactionId(), tx.serialize(Topics.TRANSACTIONS.name(),
                        ReplayRecords.transaction(row)));
                sent = i + 1;
                final long due = start + (i + 1L) * 1_000_000_000L / rate;
                final long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            producer.flush();
        } catch (Throwable t) {
            failure = t;
        } finally {
            done = true;
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String key, String id, byte[] value) {
        final RecordHeaders headers = new RecordHeaders();
        headers.add(VerdictLedger.ID_HEADER, id.getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), null, key, value, headers), (md, e) -> {
            if (e != null) {
                failed.add(id);
            }
        });
    }

}
