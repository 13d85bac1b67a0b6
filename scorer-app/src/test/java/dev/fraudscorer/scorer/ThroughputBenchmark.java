package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.score.Tracing;
import dev.fraudscorer.topics.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not part of the default suite (its name matches neither *Test nor *IT). Run with
 * {@code mvn -B -pl scorer-app -am test -Dtest=ThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Drecords=100000]}.
 *
 * <p>One broker, one input of {@code records} transactions already in the topic; each variant is a fresh application
 * (own group, own state) with one stream thread and exactly-once, reading the backlog from the start. Throughput is
 * input records over the time from the first committed progress to the last offset committed, so start-up and the
 * first rebalance do not count. Variants: a pass-through topology (bytes in, bytes out: the broker's and Streams'
 * own ceiling), the scorer with tracing off (the default), and the scorer tracing every record (ratio 1.0, spans
 * handed to an exporter that drops them: building, sampling and ending them is what is measured), alternated for {@code rounds} rounds.
 */
class ThroughputBenchmark {

    /** The meters of the scorer variant running now, to say where its time went. */
    private static final java.util.concurrent.atomic.AtomicReference<PrometheusMeterRegistry> LAST_REGISTRY =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Test
    void scorerAgainstPassThroughOnTheSameBroker() throws Exception {
        final int records = Integer.getInteger("records", 100_000);
        final Path dir = Files.createTempDirectory(Path.of("target"), "throughput-bench-");
        try (LocalStack stack = LocalStack.start(
                // Unauthenticated: variants with other application ids than the scorer's grants; SASL costs per
                // connection, not per record.
                LocalStack.Options.freePorts(dir).withAuthentication(false));
             Admin admin = stack.admin();
             ScorerCluster cluster = ScorerCluster.start(stack, dir, dir.resolve("keys/trainer.pub"), 0)) {
            final Path key = TestKeys.writeTrainer(dir.resolve("keys"));
            assertEquals(0, cluster.cli("publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key", key.toString()).code());
            assertEquals(0, cluster.cli("promote", "1").code());
            admin.createTopics(List.of(new NewTopic("bench-passthrough", Topics.TRANSACTIONS.partitions(), (short) 1))).all().get();
            cluster.sendOnce("t-", java.util.stream.IntStream.range(0, records).mapToObj(n -> "c-" + (n % 5000)).toList());

            final Map<String, Double> perSecond = new LinkedHashMap<>();
            perSecond.put("pass-through", run(admin, stack, dir, "bench-pass", props -> {
                final StreamsBuilder b = new StreamsBuilder();
                b.stream(Topics.TRANSACTIONS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                        .to("bench-passthrough", Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
                return new KafkaStreams(b.build(), props);
            }));
            // Alternated, twice: the first scorer run in this JVM also pays for JIT warm-up, which shows as the
            // difference between rounds. Each run starts from empty terminal history, as a live scorer's global
            // thread builds it while scoring (left in place, a later run would restore it before it starts).
            for (int round = 1; round <= Integer.getInteger("rounds", 2); round++) {
                BenchSupport.resetTerminalHistory(admin);
                perSecond.put("scorer, tracing off #" + round, run(admin, stack, dir, "bench-scorer-" + round, props ->
                        scorer(stack, dir, props, Tracing.off())));
                BenchSupport.resetTerminalHistory(admin);
                perSecond.put("scorer, tracing 100% #" + round, run(admin, stack, dir, "bench-traced-" + round, props ->
                        scorer(stack, dir, props, Tracing.exportingTo(new CollectingSpanExporter(false), 1.0))));
            }

            final double reference = perSecond.get("pass-through");
            System.out.printf("%n%,d transactions, one stream thread, exactly_once_v2, one KRaft broker, 6 partitions%n", records);
            perSecond.forEach((name, rate) -> System.out.printf("  %-25s %,9.0f records/s   %.2f x pass-through%n",
                    name, rate, rate / reference));
        }
    }

    private static KafkaStreams scorer(LocalStack stack, Path dir, Properties props, Tracing tracing) {
        final ScorerConfig config = config(stack, dir, props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
        final ModelCache cache = new ModelCache(config.trustedKeys(), config.featureCapabilities(), (k, r) -> { });
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LAST_REGISTRY.set(registry);
        return ScorerMain.createStreams(config, cache, new ScorerMetrics(registry, Clock.systemUTC()), tracing);
    }

    private static ScorerConfig config(LocalStack stack, Path dir, String applicationId) {
        return new ScorerConfig(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                ScorerConfig.REGISTRY_URL, stack.registryUrl(), ScorerConfig.APPLICATION_ID, applicationId,
                ScorerConfig.TRUSTED_KEYS, dir.resolve("keys/trainer.pub").toString(),
                ScorerConfig.STATE_DIR, dir.resolve("state-" + applicationId).toString()));
    }

    /** Runs one variant over the whole backlog; returns records per second of steady progress. */
    private static double run(Admin admin, LocalStack stack, Path dir, String applicationId,
                              Function<Properties, KafkaStreams> create) throws Exception {
        final Properties props = new Properties();
        props.putAll(config(stack, dir, applicationId).streamsProperties());
        props.put(StreamsConfig.CONSUMER_PREFIX + "auto.offset.reset", "earliest");
        return BenchSupport.runToEnd(admin, applicationId, props, create, streams -> {
            final PrometheusMeterRegistry registry = LAST_REGISTRY.getAndSet(null);
            if (registry != null) {
                final var scoring = registry.get("fraud_scoring_time").timer();
                System.out.printf("%s: scoring %.1f us/record mean; terminal-history waits %s%n", applicationId,
                        scoring.mean(java.util.concurrent.TimeUnit.MICROSECONDS),
                        registry.find("fraud_terminal_history_wait").timers().stream().map(t -> String.format(
                                "%s %d (%.1f s)", t.getId().getTag("outcome"), t.count(),
                                t.totalTime(java.util.concurrent.TimeUnit.SECONDS))).toList());
            }
        }).recordsPerSecond();
    }
}
