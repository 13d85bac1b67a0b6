package dev.fraudscorer.infra;

import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.AclApplier;
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

    /**
     * @param kafkaPort 0 picks free ports for this and every port below
     * @param brokers   1 (the demo's default) or more KRaft nodes, each broker and controller; with 3, topics get
     *                  three replicas with two in sync, and one node may die
     */
    public record Options(Path dataDir, int kafkaPort, int controllerPort, int registryPort, int registryManagementPort,
                          int brokers, boolean secured) {
        public Options {
            dataDir = dataDir.toAbsolutePath(); // child processes run in other working directories
            if (brokers < 1) {
                throw new IllegalArgumentException("--brokers must be at least 1");
            }
        }

        /** Authenticated (see {@link #withAuthentication}). */
        public Options(Path dataDir, int kafkaPort, int controllerPort, int registryPort, int registryManagementPort) {
            this(dataDir, kafkaPort, controllerPort, registryPort, registryManagementPort, 1, true);
        }

        /** Authenticated, on free ports. */
        public static Options freePorts(Path dataDir) {
            return new Options(dataDir, 0, 0, 0, 0, 1, true);
        }

        public Options withBrokers(int count) {
            return new Options(dataDir, kafkaPort, controllerPort, registryPort, registryManagementPort, count, secured);
        }

        /**
         * Authenticated listeners (SASL/SCRAM-SHA-512), the KRaft StandardAuthorizer denying whatever
         * {@link Access} does not grant, a super user only for the apply step, credentials in the data dir.
         */
        public Options withAuthentication(boolean on) {
            return new Options(dataDir, kafkaPort, controllerPort, registryPort, registryManagementPort, brokers, on);
        }
    }

    /** Node i's ports step by 10 from the first, so 9092/9093 stay the single broker's and 9095 stays free. */
    private static final int PORT_STEP = 10;

    private final Options options;
    private final int[] kafkaPorts;
    private final int[] controllerPorts;
    private final int registryPort;
    private final int managementPort;
    private final ChildProcess[] brokers;
    private final List<List<String>> brokerCommands = new java.util.ArrayList<>();
    private final RepoLayout repo;
    private final Path registryJava;
    private ChildProcess registry;
    private Credentials credentials;

    private LocalStack(Options options, RepoLayout repo, Path registryJava, int[] kafkaPorts, int[] controllerPorts,
                       int registryPort, int managementPort) {
        this.options = options;
        this.repo = repo;
        this.registryJava = registryJava;
        this.kafkaPorts = kafkaPorts;
        this.controllerPorts = controllerPorts;
        this.registryPort = registryPort;
        this.managementPort = managementPort;
        this.brokers = new ChildProcess[kafkaPorts.length];
    }

    /** Starts broker(s) and registry, creates the catalogue's topics and registers its schemas. */
    public static LocalStack start(Options options) throws IOException, InterruptedException {
        final RepoLayout repo = RepoLayout.locate();
        final Path registryJava = JdkFinder.find(REGISTRY_MIN_JDK);
        Files.createDirectories(options.dataDir());
        final int n = options.brokers();
        final int[] kafka = new int[n];
        final int[] controller = new int[n];
        for (int i = 0; i < n; i++) {
            kafka[i] = Ports.resolve(options.kafkaPort() == 0 ? 0 : options.kafkaPort() + i * PORT_STEP, "Kafka");
            controller[i] = Ports.resolve(options.controllerPort() == 0 ? 0 : options.controllerPort() + i * PORT_STEP,
                    "the KRaft controller");
        }
        final LocalStack stack = new LocalStack(options, repo, registryJava, kafka, controller,
                Ports.resolve(options.registryPort(), "the registry"),
                Ports.resolve(options.registryManagementPort(), "the registry's management endpoint"));
        try {
            if (options.secured()) {
                stack.credentials = Credentials.loadOrCreate(options.dataDir());
            }
            stack.formatAndStartBrokers();
            stack.startRegistry();
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
        return java.util.Arrays.stream(kafkaPorts).mapToObj(p -> "127.0.0.1:" + p)
                .collect(java.util.stream.Collectors.joining(","));
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

    public int brokerCount() {
        return brokers.length;
    }

    /** The process id of broker {@code index} (0-based), for tools that read it from the outside. */
    public long brokerPid(int index) {
        return brokers[index].pid();
    }

    /** CPU time the broker processes and the registry have used so far, in that order: what a benchmark run costs outside its own JVM. */
    public java.time.Duration[] childCpu() {
        java.time.Duration brokerCpu = java.time.Duration.ZERO;
        for (ChildProcess broker : brokers) {
            brokerCpu = brokerCpu.plus(broker.cpu());
        }
        return new java.time.Duration[] {brokerCpu, registry == null ? java.time.Duration.ZERO : registry.cpu()};
    }

    /** The brokers' process ids (those running). */
    public long[] brokerPids() {
        return java.util.Arrays.stream(brokers).filter(java.util.Objects::nonNull).mapToLong(ChildProcess::pid).toArray();
    }

    /** The registry's process id, or -1 when it is not running. */
    public long registryPid() {
        return registry == null ? -1 : registry.pid();
    }

    /** The super user's admin client (topics, ACLs, offsets); only the apply step and tests need it. */
    public Admin admin() {
        return Admin.create(superUserConfig());
    }

    public boolean secured() {
        return credentials != null;
    }

    /** Bootstrap servers plus, on an authenticated stack, the SASL settings of {@code role}. */
    public Map<String, Object> clientConfig(Access.Role role) {
        return clientConfig(role.user());
    }

    /** The super user's client settings: for the apply step and for test harnesses that inspect everything. */
    public Map<String, Object> superUserConfig() {
        return clientConfig(Credentials.ADMIN);
    }

    private Map<String, Object> clientConfig(String user) {
        final Map<String, Object> config = new java.util.HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (credentials != null) {
            config.putAll(credentials.client(user));
        }
        return config;
    }

    /** The client config file of {@code role} on an authenticated stack, for CLIs ({@code --command-config}). */
    public Path clientConfigFile(Access.Role role) {
        if (credentials == null) {
            throw new IllegalStateException("the stack runs without authentication; there are no client configs");
        }
        return credentials.clientConfig(role.user());
    }

    /** Fault injection: SIGKILL broker {@code index} (0-based), as a node loss would. */
    public void killBroker(int index) throws InterruptedException {
        brokers[index].kill();
    }

    /** Starts broker {@code index} again on its data dir, as an operator's restart would. */
    public void restartBroker(int index) throws IOException {
        brokers[index] = ChildProcess.start("kafka-" + (index + 1), brokerCommands.get(index), brokerDir(index),
                brokerDir(index).resolve("broker.log"));
    }

    /** Fault injection: stops the registry process (SIGTERM, then SIGKILL). */
    public void stopRegistry() {
        registry.close();
    }

    /**
     * Starts the registry again and waits until it answers. Its storage is in memory, so the catalogue's schemas are
     * registered again, in the same order, which gives them the same ids on a fresh registry.
     */
    public void restartRegistry() throws IOException, InterruptedException {
        startRegistry();
        waitForRegistry();
        for (String line : new SchemaRegistrar(registryUrl()).register(Topics.all())) {
            LOG.info("schema {}", line);
        }
    }

    private Path brokerDir(int index) {
        return options.dataDir().resolve(brokers.length == 1 ? "kafka" : "kafka-" + (index + 1));
    }

    private void formatAndStartBrokers() throws IOException, InterruptedException {
        final int n = brokers.length;
        final int replication = Math.min(3, n);
        final int minIsr = replication >= 3 ? 2 : 1;
        final String clusterId = Uuid.randomUuid().toString();
        final String voters = java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i]).collect(java.util.stream.Collectors.joining(","));
        for (int i = 0; i < n; i++) {
            final Path dir = brokerDir(i);
            Files.createDirectories(dir);
            final Path config = dir.resolve("server.properties");
            final String listener = credentials == null ? "PLAINTEXT" : "CLIENT";
            if (credentials != null && credentials.createdAdmin() && Files.exists(dir.resolve("logs/meta.properties"))) {
                throw new IOException(options.dataDir() + " holds a broker formatted without authentication; delete it"
                        + " (or start with --no-auth, as it was)");
            }
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=" + (i + 1),
                    // One node: a dynamic quorum formatted --standalone. Several: a static voter set.
                    n == 1 ? "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPorts[0]
                            : "controller.quorum.voters=" + voters,
                    "listeners=" + listener + "://127.0.0.1:" + kafkaPorts[i] + ",CONTROLLER://127.0.0.1:" + controllerPorts[i],
                    "advertised.listeners=" + listener + "://127.0.0.1:" + kafkaPorts[i],
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=" + listener,
                    credentials == null ? "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
                            : securitySettings(),
                    "log.dirs=" + dir.resolve("logs").toAbsolutePath(),
                    "auto.create.topics.enable=false",
                    // Internal topics (offsets, transactions, Kafka Streams' own) replicated like the catalogue's.
                    "default.replication.factor=" + replication,
                    "min.insync.replicas=" + minIsr,
                    "offsets.topic.replication.factor=" + replication,
                    "offsets.topic.num.partitions=6",
                    "transaction.state.log.replication.factor=" + replication,
                    "transaction.state.log.min.isr=" + minIsr,
                    "transaction.state.log.num.partitions=6",
                    "group.initial.rebalance.delay.ms=0",
                    // A transaction left open by a killed producer is aborted within a second of its timeout, not ten.
                    "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
                    // Under transaction protocol v2 a transaction's first batch to a partition is refused while the
                    // previous transaction's markers are still being written there. The broker retries that itself for
                    // this long (default 100 ms) before it answers CONCURRENT_TRANSACTIONS; the producer then retries
                    // with backoff, and every batch in flight behind it fails OUT_OF_ORDER_SEQUENCE_NUMBER and is
                    // retried too, while the next commit's flush waits for all of them. A busy broker takes longer than
                    // 100 ms (README, Performance, "seventh session": 533 retried records in one backlog run, 248
                    // retry warnings in one paced demo; none with 1 s).
                    "add.partitions.to.txn.retry.backoff.max.ms=1000",
                    "share.coordinator.state.topic.replication.factor=" + replication,
                    "share.coordinator.state.topic.min.isr=" + minIsr,
                    // Benchmarks compare broker settings in one build: -Dlocalstack.broker.settings="k=v;k2=v2".
                    String.join("\n", System.getProperty("localstack.broker.settings", "").split(";")),
                    ""));
            if (credentials != null) {
                Credentials.ownerOnly(config); // it holds the super user's password (JAAS)
            }
            final List<String> java = List.of(ChildProcess.javaBinary(), "-Xms256m", n == 1 ? "-Xmx1g" : "-Xmx768m",
                    "-cp", ChildProcess.classpathOf(repo.kafkaLib()));
            if (!Files.exists(dir.resolve("logs/meta.properties"))) {
                final List<String> format = new java.util.ArrayList<>(concat(java, "kafka.tools.StorageTool", "format",
                        "-t", clusterId, "-c", config.toString()));
                if (credentials != null) {
                    // The super user's SCRAM credential must exist before any broker can authenticate to another.
                    format.addAll(List.of("--add-scram", Credentials.MECHANISM + "=[name=" + Credentials.ADMIN
                            + ",password=" + credentials.password(Credentials.ADMIN) + "]"));
                }
                if (n == 1) {
                    format.add("--standalone");
                }
                ChildProcess.run("kafka-format", format, dir, dir.resolve("format.log"), 60);
            }
            brokerCommands.add(concat(java, "kafka.Kafka", config.toString()));
            brokers[i] = ChildProcess.start(n == 1 ? "kafka" : "kafka-" + (i + 1), brokerCommands.get(i), dir,
                    dir.resolve("broker.log"));
        }
        LOG.info("Kafka starting: {} node(s) on {} (logs under {})", n, bootstrapServers(), options.dataDir());
    }

    /**
     * Clients authenticate with SCRAM-SHA-512 (credentials live in the cluster metadata, so users are added without
     * a restart); the controller listener with PLAIN for the super user only (KRaft controllers cannot use SCRAM,
     * whose credentials they themselves store). Everything not granted is denied.
     */
    private String securitySettings() {
        final String admin = Credentials.ADMIN;
        return String.join("\n",
                "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                "sasl.enabled.mechanisms=" + Credentials.MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + Credentials.MECHANISM,
                "listener.name.client.scram-sha-512.sasl.jaas.config="
                        + credentials.jaas("org.apache.kafka.common.security.scram.ScramLoginModule", admin),
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "sasl.mechanism.controller.protocol=PLAIN",
                // The login the broker uses towards controllers, and the one user the controllers accept.
                "listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"" + admin + "\" password=\"" + credentials.password(admin) + "\" user_"
                        + admin + "=\"" + credentials.password(admin) + "\";",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "super.users=User:" + admin);
    }

    private void startRegistry() throws IOException {
        final Path java = registryJava;
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
                for (ChildProcess broker : brokers) {
                    broker.requireAlive();
                }
                try {
                    if (admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size() == brokers.length) {
                        return;
                    }
                    throw new IOException("not every broker has registered yet");
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("Kafka did not become ready in 90 s; see " + brokers[0].log(), e);
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
            final TopicApplier.Report report = TopicApplier.forCluster(admin).apply(Topics.all());
            LOG.info("topics:\n{}", report.toString().stripTrailing());
            if (credentials != null) {
                applyUsersAndAcls(admin);
            }
        }
        for (String line : new SchemaRegistrar(registryUrl()).register(Topics.all())) {
            LOG.info("schema {}", line);
        }
    }

    /** One SCRAM user per role (its password from the data dir), then the declared ACLs. */
    private void applyUsersAndAcls(Admin admin) throws IOException, InterruptedException {
        final List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> users = new java.util.ArrayList<>();
        for (Access.Role role : Access.Role.values()) {
            users.add(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(role.user(),
                    new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512,
                            // The broker's minimum: every client pays the iterations at each login, a CLI at each
                            // command; the passwords are 192 random bits, not words to be guessed.
                            4096),
                    credentials.password(role.user())));
        }
        try {
            admin.alterUserScramCredentials(users).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("creating the SCRAM users failed: " + e.getCause().getMessage(), e.getCause());
        }
        final AclApplier.Report acls = new AclApplier(admin).apply(Access.all());
        LOG.info("ACLs:\n{}", acls.toString().stripTrailing());
        credentials.writeClientConfigs(bootstrapServers());
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
        for (ChildProcess broker : brokers) {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
