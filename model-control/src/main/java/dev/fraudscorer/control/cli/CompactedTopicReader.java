package dev.fraudscorer.control.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a compacted topic from the beginning to its current end: the latest value per key. No consumer group. */
final class CompactedTopicReader {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private CompactedTopicReader() {
    }

    /** @param client bootstrap servers and any client settings (SASL), see {@code --command-config} */
    static <V> Map<String, V> readAll(Properties client, String topic, Deserializer<V> values) {
        final Map<String, V> latest = new LinkedHashMap<>();
        forEach(client, topic, values, (key, value) -> {
            if (value == null) {
                latest.remove(key);
            } else {
                latest.put(key, value);
            }
        });
        return latest;
    }

    /** Every record from the beginning to the current end, in order per partition; a null value is a tombstone. */
    static <V> void forEach(Properties client, String topic, Deserializer<V> values,
                            java.util.function.BiConsumer<String, V> each) {
        final Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, dev.fraudscorer.topics.Topics.MAX_MODEL_RECORD_BYTES);
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, DEADLINE).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, DEADLINE);
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic);
                }
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(record.key(), record.value());
                }
            }
        }
    }
}
