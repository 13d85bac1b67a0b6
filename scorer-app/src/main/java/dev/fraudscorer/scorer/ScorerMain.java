package dev.fraudscorer.scorer;

import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.score.Tracing;
import dev.fraudscorer.scorer.validate.SchemaIdGuard;
import dev.fraudscorer.scorer.validate.StreamErrors;
import dev.fraudscorer.topics.AvroSerdes;
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
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
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
        final ScorerProcess scorer = ScorerProcess.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(scorer::close, "scorer-shutdown"));
        System.out.printf("scorer started: application.id=%s, metrics http://127.0.0.1:%d/metrics (also /health,"
                + " /ready)%n", config.getString(ScorerConfig.APPLICATION_ID), scorer.metricsPort());
        System.out.flush();
        return scorer.awaitStopped() == null ? 0 : 1;
    }

    /** The production wiring: the topology with Apicurio-backed Avro codecs, as a KafkaStreams client. */
    public static KafkaStreams createStreams(ScorerConfig config, ModelCache cache, ScorerMetrics metrics) {
        return createStreams(config, cache, metrics, Tracing.off());
    }

    public static KafkaStreams createStreams(ScorerConfig config, ModelCache cache, ScorerMetrics metrics,
                                             Tracing tracing) {
        cache.onServingChange(metrics::servingChanged);
        RegistryPrefetch.start(config.getString(ScorerConfig.REGISTRY_URL));
        final var topology = ScorerTopology.build(config, codecs(config), cache, metrics, Clock.systemUTC(), tracing);
        final Properties props = new Properties();
        props.putAll(config.streamsProperties());
        props.put(StreamErrors.METRICS_CONFIG, metrics);
        return new KafkaStreams(topology, props);
    }

    /** The production codecs: Apicurio-backed, each deserializer behind the schema-id guard. */
    static ScorerTopology.AvroCodecs codecs(ScorerConfig config) {
        final String url = config.getString(ScorerConfig.REGISTRY_URL);
        final double lookups = config.getDouble(ScorerConfig.SCHEMA_LOOKUPS_PER_SECOND);
        return new ScorerTopology.AvroCodecs(
                () -> new SchemaIdGuard<>(AvroSerdes.<Transaction>values(url).deserializer(), lookups, Clock.systemUTC()),
                AvroSerdes.<Verdict>values(url),
                () -> AvroSerdes.<ModelControl>values(url).deserializer(),
                () -> AvroSerdes.<ModelVersion>values(url).deserializer(),
                () -> new SchemaIdGuard<>(AvroSerdes.<FraudLabel>values(url).deserializer(), lookups, Clock.systemUTC()));
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
