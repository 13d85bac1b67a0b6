package dev.fraudscorer.control.cli;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.control.ControlCommand;
import dev.fraudscorer.control.ControlState;
import dev.fraudscorer.control.ModelRef;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.ScorerStatus;
import dev.fraudscorer.topics.HttpRegistrySerdes;
import dev.fraudscorer.topics.ControlRecords;
import dev.fraudscorer.topics.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The model-control CLI: versions are published once to the compacted model-registry topic and never change;
 * which one serves is one record on the compacted model-control topic. Every command validates before it writes.
 */
@Command(name = "model-control", mixinStandardHelpOptions = true, version = "model-control 0.1",
        description = "Publish model versions and choose which one the scorers serve.",
        subcommands = {ModelControlMain.Publish.class, ModelControlMain.ListVersions.class, ModelControlMain.Show.class,
                ModelControlMain.Promote.class, ModelControlMain.Rollback.class, ModelControlMain.Canary.class,
                ModelControlMain.ClearCanary.class, ModelControlMain.Shadow.class, ModelControlMain.Status.class,
                Evaluate.class, History.class, Keys.class, Webhook.class, CommandLine.HelpCommand.class})
public final class ModelControlMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new ModelControlMain())
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
                    return 2;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof UsageError || e instanceof ModelBundle.BundleException || e instanceof IOException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return 2;
                    }
                    if (e instanceof org.apache.kafka.common.errors.TimeoutException
                            || e instanceof org.apache.kafka.common.errors.AuthenticationException
                            || e instanceof org.apache.kafka.common.errors.AuthorizationException) {
                        // Not a bad argument: the cluster refused or did not answer. One line, with the usual cause.
                        cmd.getErr().println("error: " + e.getMessage() + " (Kafka did not serve this client; an"
                                + " authenticated cluster needs --command-config FILE or FRAUD_KAFKA_CONFIG, e.g."
                                + " local-stack/credentials/operator.properties)");
                        return 1;
                    }
                    if (e instanceof HttpRegistrySerdes.RegistryException) {
                        cmd.getErr().println("error: " + e.getMessage() + " (check --registry-url)");
                        return 1;
                    }
                    throw e;
                });
    }

    /** A command that cannot run as given; reported as one line, nothing written. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    /** Options every command shares. */
    static final class Connection {
        @Option(names = "--bootstrap-servers", description = "Default: bootstrap.servers of --command-config, else"
                + " 127.0.0.1:9092")
        String bootstrap;
        @Option(names = "--command-config", paramLabel = "FILE", description = "Kafka client settings (e.g. SASL"
                + " credentials) for every client this command starts; an authenticated local stack writes one per role"
                + " under <data-dir>/credentials (operator.properties). Default: $FRAUD_KAFKA_CONFIG if set")
        Path commandConfig;
        @Option(names = "--registry-url", defaultValue = "http://127.0.0.1:8081/apis/registry/v3",
                description = "Apicurio Registry v3 API. Default: ${DEFAULT-VALUE}")
        String registryUrl;
        @Option(names = "--model-name", defaultValue = "fraud", description = "Default: ${DEFAULT-VALUE}")
        String modelName;
        @Option(names = "--control-key", paramLabel = "FILE", description = "Ed25519 private key (PEM, its .pub beside"
                + " it) that signs the model-control records this command writes; scorers with"
                + " model.control.trusted.keys refuse unsigned ones. Default: $FRAUD_CONTROL_KEY if set")
        Path controlKey;

        // Each command reads each topic at most once, and topics it knows it needs with one consumer.
        private final Map<String, java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>> read =
                new java.util.HashMap<>();
        private Map<String, ModelVersion> versions;
        private ControlState state;
        private ModelControl applied;
        private ModelControl latest;

        /** The same connection with nothing read yet: for a long-running command that must see the topic as it is now. */
        Connection fresh() {
            final Connection c = new Connection();
            c.bootstrap = bootstrap;
            c.commandConfig = commandConfig;
            c.registryUrl = registryUrl;
            c.modelName = modelName;
            c.controlKey = controlKey;
            return c;
        }

        /** The key control records are signed with, if any: --control-key, else $FRAUD_CONTROL_KEY. */
        private Path controlKey() {
            if (controlKey != null) {
                return controlKey;
            }
            final String env = System.getenv("FRAUD_CONTROL_KEY");
            return env == null || env.isBlank() ? null : Path.of(env);
        }

        /** Bootstrap servers plus the settings of --command-config: the base of every client this command starts. */
        Properties client() {
            final String env = System.getenv("FRAUD_KAFKA_CONFIG");
            final Path file = commandConfig != null ? commandConfig : env == null || env.isBlank() ? null : Path.of(env);
            final Properties props;
            try {
                props = file == null ? new Properties() : dev.fraudscorer.topics.ClientConfigFile.read(file);
            } catch (IOException e) {
                throw new UsageError("cannot read --command-config " + file + ": " + e.getMessage());
            }
            if (bootstrap != null) {
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            }
            props.putIfAbsent(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
            return props;
        }

        /** Every record of {@code topic}; topics not read yet are read together with it, by one consumer. */
        java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> records(String topic,
                                                                                                String... alsoNeeded) {
            final java.util.Set<String> missing = new java.util.LinkedHashSet<>();
            missing.add(topic);
            missing.addAll(java.util.List.of(alsoNeeded));
            missing.removeAll(read.keySet());
            if (!missing.isEmpty()) {
                read.putAll(CompactedTopicReader.read(client(), missing));
            }
            return read.get(topic);
        }

        /**
         * The catalogue's values with schemas fetched over plain HTTP: a command is a short-lived process, and
         * Apicurio's client would add about 0.7 s of start-up to each ({@link HttpRegistrySerdes}).
         */
        <V extends org.apache.avro.specific.SpecificRecord> Serde<V> values(org.apache.avro.Schema schema) {
            return HttpRegistrySerdes.values(registryUrl, schema);
        }

        Map<String, ModelVersion> versions() {
            if (versions == null) {
                final Serde<ModelVersion> serde = values(ModelVersion.getClassSchema());
                versions = CompactedTopicReader.latest(Topics.MODEL_REGISTRY.name(),
                        records(Topics.MODEL_REGISTRY.name()), serde.deserializer());
            }
            return versions;
        }

        /**
         * The control record scorers apply: the highest generation in the topic, which is not the latest record
         * if an older one was replayed (scorers ignore that one, and so must the next generation number).
         */
        Optional<ModelControl> control() {
            readControl();
            return Optional.ofNullable(applied);
        }

        /** The last record on the topic for this model, applied or not. */
        Optional<ModelControl> latestControlRecord() {
            readControl();
            return Optional.ofNullable(latest);
        }

        private void readControl() {
            if (state != null) {
                return;
            }
            final Serde<ModelControl> serde = values(ModelControl.getClassSchema());
            state = ControlState.empty(modelName);
            for (var record : records(Topics.MODEL_CONTROL.name())) {
                final String key = record.key();
                if (key == null || !modelName.equals(dev.fraudscorer.topics.ControlKeys.modelOf(key))) {
                    continue;
                }
                final ModelControl value = record.value() == null ? null
                        : serde.deserializer().deserialize(record.topic(), record.value());
                if (value == null) {
                    // A tombstone of one generation's key forgets that record only; one of the model's key, all.
                    if (!dev.fraudscorer.topics.ControlKeys.isGenerationKey(key)) {
                        state = ControlState.empty(modelName);
                        applied = null;
                        latest = null;
                    }
                    continue;
                }
                latest = value;
                final ControlState after = state.apply(ControlRecords.content(value));
                if (after != state) {
                    state = after;
                    applied = value;
                }
            }
        }

        Optional<ModelVersion> version(int version) {
            return Optional.ofNullable(versions().get(new ModelRef(modelName, version).toString()));
        }

        <V extends org.apache.avro.specific.SpecificRecord> void send(String topic, String key, V value) {
            final Properties props = client();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
            // Encoded before the producer starts: a registry that does not answer fails the command in one line.
            final byte[] bytes = this.<V>values(value.getSchema()).serializer().serialize(topic, value);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topic, key, bytes)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing to " + topic, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("writing to " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
            }
        }

        void requirePublished(int version) {
            if (version(version).isEmpty()) {
                throw new UsageError("version " + version + " of model '" + modelName + "' is not published; see"
                        + " 'model-control list'");
            }
        }

        ModelControl current() {
            return control().orElseThrow(() -> new UsageError("model '" + modelName + "' has no active version yet;"
                    + " promote one first"));
        }

        /**
         * Writes the record {@code command} makes of the one in force ({@link ControlState#next}: the one set of
         * rules, the generation raised by one), signed with the control key if there is one.
         *
         * @throws UsageError when the command does not apply; nothing is written then
         */
        ModelControl write(ControlCommand command, String reason, String issuedBy) {
            if (!(command instanceof ControlCommand.ClearCanary)
                    && !(command instanceof ControlCommand.Shadow s && s.version() == null)) {
                records(Topics.MODEL_CONTROL.name(), Topics.MODEL_REGISTRY.name());
            }
            readControl();
            final dev.fraudscorer.control.ControlContent next;
            try {
                // Only commands that name a version read the registry (a scan of every published bundle).
                next = state.next(command, issuedBy, reason, java.time.Clock.systemUTC(), v -> version(v).isPresent());
            } catch (ControlState.Refused e) {
                throw new UsageError(e.getMessage());
            }
            ModelControl record = ControlRecords.record(next);
            final Path key = controlKey();
            if (key != null) {
                try {
                    record = ControlRecords.sign(record, dev.fraudscorer.bundle.BundleSigning.readPrivate(key), keyIdOf(key));
                } catch (IOException e) {
                    throw new UsageError("cannot read the control key " + key + ": " + e.getMessage());
                }
            }
            send(Topics.MODEL_CONTROL.name(), dev.fraudscorer.topics.ControlKeys.of(modelName, record.getGeneration()),
                    record);
            return record;
        }

        ModelControl write(ControlCommand command, String reason) {
            return write(command, reason, System.getProperty("user.name", "unknown"));
        }

        /** Prints what an activation did: the one line promote and rollback report. */
        void printActivation(ModelControl record, PrintWriter out) {
            out.printf("%s: active version %d (was %s), generation %d%n", modelName, record.getActiveVersion(),
                    record.getPreviousVersion() == null ? "none" : record.getPreviousVersion(), record.getGeneration());
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publish a bundle directory as the next immutable version of its model.")
    static final class Publish implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "BUNDLE", description = "Bundle directory written by trainer-job.")
        Path bundleDir;
        @Option(names = "--description", description = "Free text stored with the version.")
        String description;
        @Option(names = "--signing-key", required = true, paramLabel = "FILE",
                description = "Ed25519 private key (PEM) that signs the bundle; scorers trust its .pub. Create one"
                        + " with 'model-control keys generate'.")
        Path signingKey;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(bundleDir)) {
                throw new UsageError(bundleDir + " is not a directory; pass the --out directory of trainer-job train");
            }
            final java.security.PrivateKey privateKey = dev.fraudscorer.bundle.BundleSigning.readPrivate(signingKey);
            final ModelBundle bundle = ModelBundle.readFrom(bundleDir);
            final String name = bundle.manifest().modelName();
            if (!name.equals(connection.modelName)) {
                connection.modelName = name;
            }
            final byte[] bytes = bundle.toBytes();
            final String sha = ModelBundle.sha256(bytes);
            final Map<String, ModelVersion> versions = connection.versions();
            final Optional<ModelVersion> same = versions.values().stream()
                    .filter(v -> v.getModelName().equals(name) && v.getBundleSha256().equals(sha)).findFirst();
            if (same.isPresent()) {
                spec.commandLine().getOut().printf("%s: this bundle is already version %d (sha256 %s)%n", name,
                        same.get().getVersion(), sha);
                return 0;
            }
            final int next = versions.values().stream().filter(v -> v.getModelName().equals(name))
                    .mapToInt(ModelVersion::getVersion).max().orElse(0) + 1;
            connection.send(Topics.MODEL_REGISTRY.name(), new ModelRef(name, next).toString(), ModelVersion.newBuilder()
                    .setModelName(name).setVersion(next).setBundleSha256(sha).setBundle(ByteBuffer.wrap(bytes))
                    .setPublishedAt(Instant.now()).setPublishedBy(System.getProperty("user.name", "unknown"))
                    .setDescription(description)
                    .setSignature(ByteBuffer.wrap(dev.fraudscorer.bundle.BundleSigning.sign(privateKey, bytes)))
                    .setSignedBy(keyIdOf(signingKey)).build());
            spec.commandLine().getOut().printf("%s: published version %d (%d bytes, sha256 %s, signed by %s)%n", name,
                    next, bytes.length, sha, keyIdOf(signingKey));
            return 0;
        }
    }

    /** The key id of the public half, read from the .pub next to the private key file. */
    static String keyIdOf(Path privateKey) throws IOException {
        final String name = privateKey.getFileName().toString();
        final Path pub = privateKey.resolveSibling(name.endsWith(".key") ? name.substring(0, name.length() - 4) + ".pub"
                : name + ".pub");
        if (!Files.isRegularFile(pub)) {
            throw new UsageError(pub + " is missing: the public key must sit next to the private key");
        }
        return dev.fraudscorer.bundle.BundleSigning.keyId(dev.fraudscorer.bundle.BundleSigning.readPublic(pub));
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one version: lineage, metrics, features.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "VERSION")
        int version;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final ModelVersion v = connection.version(version).orElseThrow(() -> new UsageError("version " + version
                    + " of model '" + connection.modelName + "' is not published; see 'model-control list'"));
            final Manifest m = ModelBundle.fromBytes(v.getBundle().array()).manifest();
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("%s version %d%n", v.getModelName(), v.getVersion());
            out.printf("  published   %s by %s%s%n", v.getPublishedAt(), v.getPublishedBy(),
                    v.getDescription() == null ? "" : " (" + v.getDescription() + ")");
            out.printf("  sha256      %s%n  signed by   %s%n", v.getBundleSha256(),
                    v.getSignedBy() == null ? "nobody (scorers will reject it)" : v.getSignedBy());
            out.printf("  metrics     ROC-AUC %.4f  AP %.4f  CP@100 %.4f  (train %d rows, test %d rows)%n",
                    m.metrics().rocAuc(), m.metrics().averagePrecision(), m.metrics().cardPrecisionAt100(),
                    m.metrics().trainRows(), m.metrics().testRows());
            out.printf("  thresholds  review %.4f  decline %.4f%n", m.thresholds().review(), m.thresholds().decline());
            out.printf("  features    %s%n", String.join(", ", m.featureSpec().names()));
            if (m.protocol() != null) {
                out.printf("  protocol    %s%n", m.protocol().description());
            }
            return 0;
        }
    }

    @Command(name = "canary", mixinStandardHelpOptions = true,
            description = "Route --percent of the keys (stable hash of the record key) to VERSION; the rest stay on the"
                    + " active version.")
    static final class Canary implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "VERSION")
        int version;
        @Option(names = "--percent", required = true, description = "1..99")
        int percent;
        @Option(names = "--reason", defaultValue = "canary", description = "Recorded in the control record.")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final ModelControl r = connection.write(new ControlCommand.Canary(version, percent), reason);
            spec.commandLine().getOut().printf("%s: canary version %d on %d%% of keys, active %d, generation %d%n",
                    connection.modelName, version, percent, r.getActiveVersion(), r.getGeneration());
            return 0;
        }
    }

    @Command(name = "clear-canary", mixinStandardHelpOptions = true, description = "Send every key to the active version.")
    static final class ClearCanary implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Option(names = "--reason", defaultValue = "clear canary", description = "Recorded in the control record.")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final ModelControl r = connection.write(new ControlCommand.ClearCanary(), reason);
            spec.commandLine().getOut().printf("%s: canary cleared, active %d, generation %d%n", connection.modelName,
                    r.getActiveVersion(), r.getGeneration());
            return 0;
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = "Also score every record with VERSION, beside the decision (verdict headers, agreement"
                    + " metrics); --clear stops it.")
    static final class Shadow implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "VERSION", arity = "0..1")
        Integer version;
        @Option(names = "--clear", description = "Stop shadow scoring.")
        boolean clear;
        @Option(names = "--reason", defaultValue = "shadow", description = "Recorded in the control record.")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (clear == (version != null)) {
                throw new UsageError("give either VERSION or --clear");
            }
            final ModelControl r = connection.write(new ControlCommand.Shadow(version), reason);
            spec.commandLine().getOut().printf("%s: shadow %s, active %d, generation %d%n", connection.modelName,
                    version == null ? "cleared" : "version " + version, r.getActiveVersion(), r.getGeneration());
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Make VERSION the active version.")
    static final class Promote implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "VERSION")
        int version;
        @Option(names = "--reason", defaultValue = "promote", description = "Recorded in the control record.")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            connection.printActivation(connection.write(new ControlCommand.Promote(version), reason),
                    spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Make the previous active version (or --to VERSION) active again.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Option(names = "--to", description = "Target version. Default: the version active before the current one.")
        Integer to;
        @Option(names = "--reason", defaultValue = "rollback", description = "Recorded in the control record.")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            connection.printActivation(connection.write(new ControlCommand.Rollback(to), reason),
                    spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List published versions.")
    static final class ListVersions implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            final Integer active = connection.control().map(ModelControl::getActiveVersion).orElse(null);
            out.printf("%-3s %-8s %-7s %-7s %-24s %s%n", "", "VERSION", "AUC", "AP", "PUBLISHED", "SHA256");
            connection.versions().values().stream().filter(v -> v.getModelName().equals(connection.modelName))
                    .sorted(Comparator.comparingInt(ModelVersion::getVersion)).forEach(v -> {
                        final Manifest m = ModelBundle.fromBytes(v.getBundle().array()).manifest();
                        out.printf("%-3s %-8d %-7.4f %-7.4f %-24s %s%n", Integer.valueOf(v.getVersion()).equals(active) ? "*" : "",
                                v.getVersion(), m.metrics().rocAuc(), m.metrics().averagePrecision(), v.getPublishedAt(),
                                v.getBundleSha256().substring(0, 16));
                    });
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the desired serving state and what each scorer instance reports it serves.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Connection connection;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            // Both topics with one consumer.
            connection.records(Topics.MODEL_CONTROL.name(), Topics.SCORER_STATUS.name());
            final PrintWriter out = spec.commandLine().getOut();
            connection.control().ifPresentOrElse(c -> out.printf(
                    "%s: active version %d, previous %s, canary %s, shadow %s, rolled back %s; generation %d, set by %s at"
                            + " %s (%s)%n",
                    c.getModelName(), c.getActiveVersion(), c.getPreviousVersion() == null ? "none" : c.getPreviousVersion(),
                    c.getCanaryVersion() == null ? "none" : c.getCanaryVersion() + " on " + c.getCanaryPercent() + "%",
                    c.getShadowVersion() == null ? "none" : c.getShadowVersion(),
                    c.getRolledBack().isEmpty() ? "none" : c.getRolledBack(), c.getGeneration(), c.getIssuedBy(),
                    c.getIssuedAt(), c.getReason()),
                    () -> out.printf("%s: no active version; publish and promote one%n", connection.modelName));
            connection.latestControlRecord().filter(l -> connection.control().map(c -> c.getGeneration() > l.getGeneration())
                    .orElse(false)).ifPresent(l -> out.printf("warning: the latest model-control record has generation"
                    + " %d, older than the applied one (a replay?); scorers ignore it (records are keyed by generation,"
                    + " so compaction cannot make it the only one left); 'model-control history' shows who wrote it%n",
                    l.getGeneration()));
            final Serde<ScorerStatus> serde = connection.values(ScorerStatus.getClassSchema());
            final Map<String, ScorerStatus> instances = CompactedTopicReader.latest(Topics.SCORER_STATUS.name(),
                    connection.records(Topics.SCORER_STATUS.name()), serde.deserializer());
            out.printf("instances reporting (%d):%n", instances.size());
            instances.values().stream().filter(s -> s.getModelName().equals(connection.modelName)).forEach(s -> {
                out.printf("  %-40s %-12s active %s, canary %s, shadow %s, generation %d, reported %s%n",
                        s.getInstanceId(), s.getStreamsState(), s.getActiveVersion() == null ? "none" : s.getActiveVersion(),
                        s.getCanaryVersion() == null ? "none" : s.getCanaryVersion() + " on " + s.getCanaryPercent() + "%",
                        s.getShadowVersion() == null ? "none" : s.getShadowVersion(), s.getControlGeneration(),
                        s.getReportedAt());
                s.getRejections().forEach(r -> out.printf("      rejected %s%n", r));
            });
            return 0;
        }
    }
}
