package dev.fraudscorer.scorer;

import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.HealthServer;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.score.Tracing;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running scorer: the Kafka Streams client, its meters (ours, Kafka's, the JVM's) on {@code /metrics}, the
 * {@code /health} and {@code /ready} probes, tracing and the status reporter. {@code main} runs one until a signal;
 * tests run several in one JVM exactly as production wires them.
 */
public final class ScorerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerProcess.class);

    private final KafkaStreams streams;
    private final ModelCache cache;
    private final HealthServer health;
    private final StatusReporter status;
    private final Tracing tracing;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final java.util.function.BooleanSupplier readyCheck;
    // Assigned once Streams has started; /ready reads it from the health server's thread.
    private volatile StreamsWarmup streamsWarmup;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    private ScorerProcess(ScorerConfig config) throws IOException {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Before any meter: a filter applies only to meters registered after it.
        registry.config().meterFilter(new dev.fraudscorer.scorer.metrics.StoreMetricTags());
        final ScorerMetrics metrics = new ScorerMetrics(registry, Clock.systemUTC(),
                config.getInt(ScorerConfig.DRIFT_WINDOW_RECORDS));
        metrics.registerModel(config.modelName());
        cache = new ModelCache(config.trustedKeys(), config.featureCapabilities(),
                (key, reason) -> metrics.modelRejected(key));
        tracing = Tracing.create(config.getString(ScorerConfig.OTLP_ENDPOINT),
                config.getDouble(ScorerConfig.TRACE_SAMPLE_RATIO), config.getString(ScorerConfig.APPLICATION_ID));
        streams = ScorerMain.createStreams(config, cache, metrics, tracing);
        final ThreadFailurePolicy failures = new ThreadFailurePolicy();
        streams.setUncaughtExceptionHandler(e -> {
            final StreamThreadExceptionResponse response = failures.decide(e, System.nanoTime());
            if (response == StreamThreadExceptionResponse.REPLACE_THREAD) {
                LOG.warn("stream thread failed on an error the cluster returned; replacing the thread", e);
            } else {
                LOG.error("stream thread failed; shutting the client down", e);
                fatal.set(e);
            }
            return response;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        streams.setGlobalStateRestoreListener(new RestoreLog());
        new KafkaStreamsMetrics(streams).bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        Gauge.builder("fraud_scorer_ready", () -> ready() ? 1 : 0)
                .description("1 when Kafka Streams is RUNNING, a verified model is active and both warm-ups (the scoring"
                        + " path, Streams' path) are done (as /ready)").register(registry);
        final String model = config.modelName();
        // Warm too: a scorer reporting ready while its JIT still compiles the scoring path falls seconds behind the rate.
        readyCheck = () -> streams.state() == KafkaStreams.State.RUNNING && cache.lastServing(model).isPresent()
                && dev.fraudscorer.scorer.score.ScoringWarmup.warm() && streamsWarmupDone();
        health = new HealthServer(config.getInt(ScorerConfig.METRICS_PORT), registry::scrape,
                () -> streams.state().isRunningOrRebalancing() && !streams.metadataForLocalThreads().isEmpty(),
                this::ready);
        streams.start();
        final String url = config.getString(ScorerConfig.REGISTRY_URL);
        streamsWarmup = StreamsWarmup.start(config, streams, cache, () -> ScorerMain.codecs(config),
                () -> dev.fraudscorer.topics.AvroSerdes.<dev.fraudscorer.schema.Transaction>values(url).serializer(),
                () -> dev.fraudscorer.topics.AvroSerdes.<dev.fraudscorer.schema.FraudLabel>values(url).serializer());
        status = StatusReporter.start(config, cache, streams);
    }

    public static ScorerProcess start(ScorerConfig config) throws IOException {
        return new ScorerProcess(config);
    }

    /** Kafka Streams RUNNING, a verified model active and the warm-up compiled: what {@code /ready} answers. */
    public boolean ready() {
        return readyCheck.getAsBoolean();
    }

    private boolean streamsWarmupDone() {
        final StreamsWarmup warmup = streamsWarmup;
        return warmup != null && warmup.done();
    }

    public int metricsPort() {
        return health.port();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ModelCache cache() {
        return cache;
    }

    /** Blocks until the client stops; returns the failure that stopped it, if any. */
    public Throwable awaitStopped() throws InterruptedException {
        stopped.await();
        return fatal.get();
    }

    @Override
    public void close() {
        final StreamsWarmup warmup = streamsWarmup;
        if (warmup != null) {
            warmup.stop();
        }
        status.close();
        // Leave the group: with static membership a member that stops without leaving would keep its partitions
        // until the session timeout.
        streams.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        stopped.countDown();
        health.close();
        tracing.close();
    }
}
