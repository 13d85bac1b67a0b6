package dev.fraudscorer.scorer;

import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.HealthServer;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.AvroSerdes;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs the scorer until SIGTERM/SIGINT. */
@Command(name = "scorer-app", mixinStandardHelpOptions = true, version = "scorer-app 0.1",
        subcommands = dev.fraudscorer.scorer.validate.DeadLetterReplay.class,
        description = "Kafka Streams fraud scorer: transactions in, verdicts out.%n"
                + "Configuration: --config FILE and/or KEY=VALUE arguments (later wins). Keys:%n")
public final class ScorerMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerMain.class);

    @Option(names = "--config", description = "Properties file.")
    Path configFile;

    @Parameters(paramLabel = "KEY=VALUE", description = "Config overrides, e.g. bootstrap.servers=127.0.0.1:9092")
    List<String> overrides = new ArrayList<>();

    public static void main(String[] args) {
        AvroLimits.apply();
        final CommandLine cli = new CommandLine(new ScorerMain());
        cli.getCommandSpec().usageMessage().footer(ScorerConfig.definition().toEnrichedRst()
                .replaceAll("(?m)^``([^`]+)``$", "  $1").replaceAll("(?m)^\\s*\\*\\*([^*]+)\\*\\*", "    $1"));
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException || e instanceof IOException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        final ScorerConfig config = new ScorerConfig(properties());
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final ScorerMetrics metrics = new ScorerMetrics(registry, Clock.systemUTC());
        final ModelCache cache = new ModelCache(config.trustedKeys(), config.featureCapabilities(),
                (key, reason) -> metrics.modelRejected(key));
        final KafkaStreams streams = createStreams(config, cache, metrics);
        final AtomicReference<Throwable> fatal = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            // Per-record problems never get here (they become dead letters); what does is infrastructure failure,
            // where stopping and letting the supervisor restart us is the honest answer.
            LOG.error("stream thread failed; shutting the client down", e);
            fatal.set(e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        final CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            LOG.info("streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        new KafkaStreamsMetrics(streams).bindTo(registry);
        try (HealthServer health = new HealthServer(config.getInt(ScorerConfig.METRICS_PORT), registry::scrape,
                () -> streams.state().isRunningOrRebalancing(),
                () -> streams.state() == KafkaStreams.State.RUNNING && cache.lastServing(config.modelName()).isPresent())) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                streams.close(java.time.Duration.ofSeconds(30));
                stopped.countDown();
            }, "scorer-shutdown"));
            streams.start();
            final StatusReporter status = StatusReporter.start(config, cache, streams);
            Runtime.getRuntime().addShutdownHook(new Thread(status::close, "status-shutdown"));
            System.out.printf("scorer started: application.id=%s, metrics http://127.0.0.1:%d/metrics%n",
                    config.getString(ScorerConfig.APPLICATION_ID), health.port());
            System.out.flush();
            stopped.await();
        }
        return fatal.get() == null ? 0 : 1;
    }

    /** The production wiring: the topology with Apicurio-backed Avro codecs, as a KafkaStreams client. */
    public static KafkaStreams createStreams(ScorerConfig config, ModelCache cache, ScorerMetrics metrics) {
        final String url = config.getString(ScorerConfig.REGISTRY_URL);
        final var topology = ScorerTopology.build(config, new ScorerTopology.AvroCodecs(
                () -> AvroSerdes.<Transaction>values(url).deserializer(), AvroSerdes.<Verdict>values(url),
                () -> AvroSerdes.<ModelControl>values(url).deserializer(),
                () -> AvroSerdes.<ModelVersion>values(url).deserializer(),
                () -> AvroSerdes.<FraudLabel>values(url).deserializer()),
                cache, metrics, Clock.systemUTC());
        final Properties props = new Properties();
        props.putAll(config.streamsProperties());
        props.put(dev.fraudscorer.scorer.validate.StreamErrors.METRICS_CONFIG, metrics);
        return new KafkaStreams(topology, props);
    }

    private Map<String, Object> properties() throws IOException {
        final Map<String, Object> props = new HashMap<>();
        if (configFile != null) {
            final Properties file = new Properties();
            try (InputStream in = Files.newInputStream(configFile)) {
                file.load(in);
            }
            file.forEach((k, v) -> props.put(k.toString(), v));
        }
        for (String override : overrides) {
            final int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + override + "' is not KEY=VALUE");
            }
            props.put(override.substring(0, eq), override.substring(eq + 1));
        }
        final var known = ScorerConfig.definition().names();
        for (String key : props.keySet()) {
            if (!known.contains(key) && !key.startsWith(ScorerConfig.STREAMS_PREFIX)) {
                throw new IllegalArgumentException("unknown config key '" + key + "'; see --help for the keys, or"
                        + " prefix Kafka Streams settings with '" + ScorerConfig.STREAMS_PREFIX + "'");
            }
        }
        return props;
    }
}
