package dev.fraudscorer.scorer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the scorer's real Kafka clients over a scratch topic before {@code /ready}: a transactional producer with
 * the live producer's settings writes verdict-sized records in transactions, a {@code read_committed} consumer reads
 * them back, and the topic is deleted. The Streams warm-up ({@link StreamsWarmup}) runs the topology against a mock
 * producer and no network, so a new process met its first live records with Kafka's client internals uncompiled:
 * JFR of the demo's scorer counted 3,646 compilations after {@code /ready}, the producer's {@code Sender} and
 * {@code RecordAccumulator} and the consumer's fetch parsing the largest part (README, Performance, "ninth session").
 * It also warms the broker's produce, fetch and transaction paths.
 *
 * <p>The topic is named {@code <application.id>-warmup-<random>}, under the prefix the scorer's principal owns, and
 * the producer's transactional id {@code <application.id>-warmup-<random>}; nothing is written to a topic anyone
 * else reads. Whatever fails here is logged and the scorer gets ready anyway: a warm-up is an optimisation.
 */
final class ClientWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(ClientWarmup.class);
    /** About a verdict's size on the wire. */
    static final int RECORD_BYTES = 700;
    static final int RECORDS_PER_TRANSACTION = 1_000;
    static final int PARTITIONS = 6;
    /** The longest the warm-up may hold {@code /ready}. */
    static final long MAX_MILLIS = 10_000;

    private ClientWarmup() {
    }

    /** @return the records read back (fewer than {@code records} when stopped, timed out or failed) */
    static long run(ScorerConfig config, int records, AtomicBoolean stop) {
        if (records <= 0) {
            return 0;
        }
        final long start = System.nanoTime();
        final long deadline = start + MAX_MILLIS * 1_000_000;
        final String name = config.getString(ScorerConfig.APPLICATION_ID) + "-warmup-" + UUID.randomUUID();
        final Map<String, Object> client = config.clientSettings();
        long read = 0;
        try (Admin admin = Admin.create(client)) {
            try {
                admin.createTopics(List.of(new NewTopic(name, Optional.of(PARTITIONS), Optional.empty())))
                        .all().get(MAX_MILLIS, TimeUnit.MILLISECONDS);
                final int written = produce(config, client, name, records, stop, deadline);
                read = consume(client, name, written, stop, deadline);
                LOG.info("warmed the Kafka clients over {}: {} records written in transactions and read back"
                        + " read_committed in {} ms", name, read, (System.nanoTime() - start) / 1_000_000);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warn("the Kafka client warm-up failed; ready without it", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    admin.deleteTopics(Set.of(name)).all().get(MAX_MILLIS, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    LOG.warn("could not delete the warm-up topic {}; delete it by hand", name, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return read;
    }

    /** @return the records written in committed transactions */
    private static int produce(ScorerConfig config, Map<String, Object> client, String topic, int records,
                               AtomicBoolean stop, long deadline) {
        final Map<String, Object> props = new HashMap<>(client);
        // The live producer's own batching settings (Streams passes them with the producer. prefix).
        config.streamsProperties().forEach((k, v) -> {
            if (k.startsWith(StreamsConfig.PRODUCER_PREFIX)) {
                props.put(k.substring(StreamsConfig.PRODUCER_PREFIX.length()), v);
            }
        });
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, topic + "-producer");
        final byte[] value = new byte[RECORD_BYTES];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            int i = 0;
            while (i < records && !stop.get() && System.nanoTime() < deadline) {
                producer.beginTransaction();
                for (int n = 0; n < RECORDS_PER_TRANSACTION && i < records; n++, i++) {
                    final byte[] key = Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    producer.send(new ProducerRecord<>(topic, key, value));
                }
                producer.commitTransaction();
            }
            return i;
        }
    }

    private static long consume(Map<String, Object> client, String topic, int records, AtomicBoolean stop,
                                long deadline) {
        final Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, topic + "-consumer");
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (read < records && !stop.get() && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(100)).count();
            }
        }
        return read;
    }
}
