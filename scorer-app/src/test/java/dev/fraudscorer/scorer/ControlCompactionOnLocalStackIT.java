package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The compaction hole, with real compaction on the real broker: version 1 is promoted, then version 2; then the
 * first control record is replayed byte for byte, key included, as anyone with write access to the topic could. The
 * broker compacts the topic (segments of 100 ms, cleaner every second); then a scorer starts from nothing, as after
 * a restart, and must serve version 2. When control records were keyed by the model name, the replay was the only
 * record left after compaction and a restarted scorer served version 1.
 */
class ControlCompactionOnLocalStackIT {

    @Test
    void aRestartedScorerServesTheNewestGenerationAfterAReplayedOldRecordWasCompacted() throws Exception {
        final Path dir = Files.createTempDirectory(Path.of("target"), "control-compaction-");
        try (LocalStack stack = LocalStack.start(LocalStack.Options.freePorts(dir));
             Admin admin = stack.admin()) {
            admin.incrementalAlterConfigs(Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, Topics.MODEL_CONTROL.name()), List.of(
                            set("segment.ms", "100"), set("min.cleanable.dirty.ratio", "0.001"),
                            set("delete.retention.ms", "0")),
                    new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(set("log.cleaner.backoff.ms", "1000"))))
                    .all().get();
            final String key = TestKeys.writeTrainer(dir.resolve("keys")).toString();
            assertEquals(0, ScorerCluster.cli(stack, "publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key",
                    key).code());
            assertEquals(0, ScorerCluster.cli(stack, "publish", ScorerCluster.variant(ScorerTopologyTest.GOLDEN,
                    dir.resolve("v2"), "v2").toString(), "--signing-key", key).code());
            assertEquals(0, ScorerCluster.cli(stack, "promote", "1").code());
            assertEquals(0, ScorerCluster.cli(stack, "promote", "2").code());
            final List<ConsumerRecord<String, byte[]>> written = read(stack);
            assertEquals(List.of("fraud/1", "fraud/2"), written.stream().map(ConsumerRecord::key).toList());

            // The replay (by a principal allowed to write model-control: ACLs do not stop this, signatures and
            // generations must), then more records so its segment rolls and the cleaner may compact it.
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.clientConfig(Access.Role.OPERATOR),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.MODEL_CONTROL.name(), written.get(0).key(),
                        written.get(0).value())).get();
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(300);
                    producer.send(new ProducerRecord<>(Topics.MODEL_CONTROL.name(), "roll-" + i, null)).get();
                }
            }
            final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            List<String> keys;
            do {
                Thread.sleep(1000);
                keys = read(stack).stream().map(ConsumerRecord::key).filter(k -> k.startsWith("fraud/")).toList();
            } while (!keys.equals(List.of("fraud/2", "fraud/1")) && System.nanoTime() < deadline);
            assertEquals(List.of("fraud/2", "fraud/1"), keys, "compacted: the original generation-1 record is gone and"
                    + " its replay is the newest record on the topic");

            final Map<String, String> settings = ScorerCluster.connection(stack);
            settings.put(ScorerConfig.APPLICATION_ID, "fraud-scorer-compaction-it");
            settings.put(ScorerConfig.STATE_DIR, dir.resolve("state").toString());
            final ScorerConfig config = new ScorerConfig(settings);
            final ModelCache cache = new ModelCache(TestKeys.trusted(), config.featureCapabilities(), (k, r) -> { });
            final KafkaStreams streams = ScorerMain.createStreams(config, cache, ScorerMetrics.discarding());
            streams.start();
            try {
                // Global stores are restored (through their processor) before RUNNING: by then every control record
                // on the topic, the replay included, has been seen.
                final long running = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < running) {
                    Thread.sleep(100);
                }
                assertEquals(KafkaStreams.State.RUNNING, streams.state(), "RUNNING within 60 s");
                assertTrue(cache.lastServing("fraud").isPresent(), "serving once restored");
                assertEquals(2, cache.lastServing("fraud").get().active().version(),
                        "the newest generation serves, not the replayed record");
                assertTrue(cache.rejections().stream().anyMatch(r -> r.startsWith("fraud/control@1")),
                        cache.rejections().toString());
            } finally {
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    /** Every record on model-control now, in offset order (one partition). */
    private static List<ConsumerRecord<String, byte[]>> read(LocalStack stack) {
        final List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(stack.clientConfig(Access.Role.OPERATOR),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            final TopicPartition p = new TopicPartition(Topics.MODEL_CONTROL.name(), 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            final long end = consumer.endOffsets(List.of(p)).get(p);
            while (consumer.position(p) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
