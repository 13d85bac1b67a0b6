package dev.fraudscorer.control.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads compacted topics from the beginning to their current end, several at once with one consumer (each
 * consumer costs the CLI a connection, an authentication and metadata round trips). No consumer group.
 */
final class CompactedTopicReader {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private CompactedTopicReader() {
    }

    /** Every record of every topic, from the beginning to the current end, in offset order per partition. */
    static Map<String, List<ConsumerRecord<String, byte[]>>> read(Properties client, Collection<String> topics) {
        final Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, dev.fraudscorer.topics.Topics.MAX_MODEL_RECORD_BYTES);
        // A partition already read to its end must not hold each fetch for the default 500 ms.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        final Map<String, List<ConsumerRecord<String, byte[]>>> out = new HashMap<>();
        topics.forEach(t -> out.put(t, new ArrayList<>()));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, DEADLINE).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, DEADLINE);
            final List<TopicPartition> toRead = partitions.stream().filter(p -> end.get(p) > 0).toList();
            consumer.assign(toRead);
            consumer.seekToBeginning(toRead);
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (toRead.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topics);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    out.get(record.topic()).add(record);
                }
            }
        }
        return out;
    }

    /** The latest value per key of {@code records} (a null value is a tombstone). */
    static <V> Map<String, V> latest(String topic, List<ConsumerRecord<String, byte[]>> records, Deserializer<V> values) {
        final Map<String, V> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), values.deserialize(topic, r.value()));
            }
        }
        return latest;
    }
}
