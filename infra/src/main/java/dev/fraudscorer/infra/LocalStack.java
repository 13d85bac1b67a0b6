package dev.fraudscorer.infra;

import dev.fraudscorer.topics.SchemaRegistrar;
import dev.fraudscorer.topics.TopicApplier;
import dev.fraudscorer.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack: a real single-node KRaft Kafka broker (Kafka's own server from Maven Central) and a real
 * Apicurio Registry server, each its own child process with data and logs under one directory. Closing stops both.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final int REGISTRY_MIN_JDK = 21;

    /** @param kafkaPort 0 picks free ports for this and every port below */
    public record Options(Path dataDir, int kafkaPort, int controllerPort, int registryPort, int registryManagementPort) {
        public Options {
            dataDir = dataDir.toAbsolutePath(); // child processes run in other working directories
        }

        public static Options freePorts(Path dataDir) {
            return new Options(dataDir, 0, 0, 0, 0);
        }
    }

    private final Options options;
    private final int kafkaPort;
    private final int registryPort;
    private final int managementPort;
    private ChildProcess broker;
    private ChildProcess registry;

    private LocalStack(Options options, int kafkaPort, int registryPort, int managementPort) {
        this.options = options;
        this.kafkaPort = kafkaPort;
        this.registryPort = registryPort;
        this.managementPort = managementPort;
    }

    /** Starts broker and registry, creates the catalogue's topics and registers its schemas. */
    public static LocalStack start(Options options) throws IOException, InterruptedException {
        final RepoLayout repo = RepoLayout.locate();
        final Path registryJava = JdkFinder.find(REGISTRY_MIN_JDK);
        Files.createDirectories(options.dataDir());
        final LocalStack stack = new LocalStack(options, Ports.resolve(options.kafkaPort(), "Kafka"),
                Ports.resolve(options.registryPort(), "the registry"),
                Ports.resolve(options.registryManagementPort(), "the registry's management endpoint"));
        try {
            stack.startBroker(repo, Ports.resolve(options.controllerPort(), "the KRaft controller"));
            stack.startRegistry(repo, registryJava);
            stack.waitForBroker();
            stack.waitForRegistry();
            stack.applyTopicsAndSchemas();
            return stack;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** The v3 REST API base, which the serdes take as {@code apicurio.registry.url}. */
    public String registryUrl() {
        return "http://127.0.0.1:" + registryPort + "/apis/registry/v3";
    }

    public String registryUiUrl() {
        return "http://127.0.0.1:" + registryPort;
    }

    public Path dataDir() {
        return options.dataDir();
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private void startBroker(RepoLayout repo, int controllerPort) throws IOException, InterruptedException {
        final Path dir = options.dataDir().resolve("kafka");
        Files.createDirectories(dir);
        final Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + kafkaPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + kafkaPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs").toAbsolutePath(),
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=6",
                "group.initial.rebalance.delay.ms=0",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "") );
        final List<String> java = List.of(ChildProcess.javaBinary(), "-Xms256m", "-Xmx1g",
                "-cp", ChildProcess.classpathOf(repo.kafkaLib()));
        if (!Files.exists(dir.resolve("logs/meta.properties"))) {
            ChildProcess.run("kafka-format", concat(java, "kafka.tools.StorageTool", "format", "-t",
                    Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone"), dir, dir.resolve("format.log"), 60);
        }
        broker = ChildProcess.start("kafka", concat(java, "kafka.Kafka", config.toString()), dir, dir.resolve("broker.log"));
        LOG.info("Kafka broker starting on {} (log {})", bootstrapServers(), broker.log());
    }

    private void startRegistry(RepoLayout repo, Path java) throws IOException {
        final Path dir = options.dataDir().resolve("registry");
        Files.createDirectories(dir);
        registry = ChildProcess.start("apicurio-registry", List.of(java.toString(), "-Xms128m", "-Xmx768m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + registryPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.console.color=false",
                "-jar", repo.apicurioDir().resolve("quarkus-run.jar").toString()), dir, dir.resolve("registry.log"));
        LOG.info("Apicurio Registry starting on {} with {} (log {})", registryUiUrl(), java, registry.log());
    }

    private void waitForBroker() throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (Admin admin = admin()) {
            while (true) {
                broker.requireAlive();
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("Kafka did not become ready in 90 s; see " + broker.log(), e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    private void waitForRegistry() throws IOException, InterruptedException {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final URI ready = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            registry.requireAlive();
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the registry did not become ready in 120 s; see " + registry.log());
            }
            Thread.sleep(250);
        }
    }

    private void applyTopicsAndSchemas() throws IOException, InterruptedException {
        try (Admin admin = admin()) {
            final TopicApplier.Report report = new TopicApplier(admin, (short) 1).apply(Topics.all());
            LOG.info("topics:\n{}", report.toString().stripTrailing());
        }
        for (String line : new SchemaRegistrar(registryUrl()).register(Topics.all())) {
            LOG.info("schema {}", line);
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        final List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
