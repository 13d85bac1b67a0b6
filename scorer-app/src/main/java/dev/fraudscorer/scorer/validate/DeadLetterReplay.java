package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.topics.Topics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Re-sends selected dead letters to the topic they came from, once their cause is fixed (a model promoted, a bound
 * raised): the original key, value and headers, without the dlq.* headers, plus {@code dlq.replayed.from} naming
 * the dead letter. Reads up to the dead-letter topic's end at start; prints where it stopped so the next replay can
 * start there.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-send dead letters (by reason and/or offset range) to their source topic.")
public final class DeadLetterReplay implements Callable<Integer> {

    public static final String REPLAYED_FROM = "dlq.replayed.from";

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Default: ${DEFAULT-VALUE}")
    String bootstrap;
    @Option(names = "--command-config", paramLabel = "FILE", description = "Kafka client settings (e.g. SASL"
            + " credentials; the local stack writes <data-dir>/credentials/replayer.properties) for both clients.")
    java.nio.file.Path commandConfig;
    @Option(names = "--reason", split = ",", description = "Only these reasons (${COMPLETION-CANDIDATES}). Default: all.")
    List<DeadLetter.Reason> reasons = new ArrayList<>();
    @Option(names = "--partition", description = "Only this partition of " + "transactions-dlq" + ". Default: all.")
    Integer partition;
    @Option(names = "--from-offset", defaultValue = "0", description = "First offset (per partition). Default: 0.")
    long fromOffset;
    @Option(names = "--to-offset", description = "End offset, exclusive (per partition). Default: the current end.")
    Long toOffset;
    @Option(names = "--dry-run", description = "Count what would be replayed; send nothing.")
    boolean dryRun;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (fromOffset < 0 || (toOffset != null && toOffset < fromOffset)) {
            throw new IllegalArgumentException("--from-offset must be >= 0 and --to-offset >= --from-offset");
        }
        final EnumSet<DeadLetter.Reason> wanted = reasons.isEmpty() ? EnumSet.allOf(DeadLetter.Reason.class)
                : EnumSet.copyOf(reasons);
        final Properties client;
        try {
            client = commandConfig == null ? new Properties() : dev.fraudscorer.topics.ClientConfigFile.read(commandConfig);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read --command-config " + commandConfig + ": " + e.getMessage());
        }
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        final Properties consumerProps = new Properties();
        consumerProps.putAll(client);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        final Properties producerProps = new Properties();
        producerProps.putAll(client);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        final Map<String, Integer> replayed = new TreeMap<>();
        final Map<Integer, Long> stoppedAt = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            final List<TopicPartition> parts = consumer.partitionsFor(Topics.DEAD_LETTERS.name(), Duration.ofSeconds(30))
                    .stream().filter(p -> partition == null || p.partition() == partition)
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("transactions-dlq has no partition " + partition);
            }
            final Map<TopicPartition, Long> end = new java.util.HashMap<>(consumer.endOffsets(parts, Duration.ofSeconds(30)));
            if (toOffset != null) {
                end.replaceAll((tp, e) -> Math.min(e, toOffset));
            }
            consumer.assign(parts);
            parts.forEach(tp -> consumer.seek(tp, fromOffset));
            final long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue;
                    }
                    stoppedAt.put(r.partition(), r.offset() + 1);
                    final String reason = header(r, DeadLetter.REASON);
                    final String source = header(r, DeadLetter.SOURCE_TOPIC);
                    if (reason == null || source == null || wanted.stream().noneMatch(w -> w.name().equals(reason))) {
                        continue;
                    }
                    replayed.merge(reason, 1, Integer::sum);
                    if (!dryRun) {
                        final RecordHeaders headers = new RecordHeaders();
                        for (Header h : r.headers()) {
                            if (!h.key().startsWith("dlq.")) {
                                headers.add(h);
                            }
                        }
                        headers.add(REPLAYED_FROM, (r.topic() + "/" + r.partition() + "/" + r.offset())
                                .getBytes(StandardCharsets.UTF_8));
                        producer.send(new ProducerRecord<>(source, null, r.key(), r.value(), headers));
                    }
                }
            }
            producer.flush();
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.printf("%s %d dead letters %s%n", dryRun ? "would replay" : "replayed",
                replayed.values().stream().mapToInt(Integer::intValue).sum(), replayed);
        out.printf("read up to (next --from-offset per partition): %s%n", stoppedAt);
        return 0;
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        final Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
