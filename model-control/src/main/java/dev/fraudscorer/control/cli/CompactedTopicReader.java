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

    static <V> Map<String, V> readAll(String bootstrap, String topic, Deserializer<V> values) {
        return readAll(bootstrap, topic, values, (kept, next) -> next);
    }

    /** As {@link #readAll(String, String, Deserializer)}, keeping per key what {@code choose(kept, next)} returns. */
    static <V> Map<String, V> readAll(String bootstrap, String topic, Deserializer<V> values,
                                      java.util.function.BinaryOperator<V> choose) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, dev.fraudscorer.topics.Topics.MAX_MODEL_RECORD_BYTES);
        final Map<String, V> latest = new LinkedHashMap<>();
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
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.merge(record.key(), record.value(), choose);
                    }
                }
            }
        }
        return latest;
    }
}
