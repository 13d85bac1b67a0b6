package dev.fraudscorer.scorer;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.control.cli.ModelControlMain;
import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.topics.Access;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Several in-process scorer instances of one application on a local stack, with a load generator and a verdict
 * reader: what the model-lifecycle test and the rollback benchmark share.
 */
final class ScorerCluster implements AutoCloseable {

    /** One verdict as read back (read_committed). */
    record Seen(int partition, String transactionId, String customerId, int version, long scoredAtMs) {
    }

    /** One scorer instance and the state changes it went through. */
    record Instance(String id, KafkaStreams streams, ModelCache cache, StatusReporter status,
                    List<KafkaStreams.State> transitions) {
    }

    final LocalStack stack;
    final List<Instance> instances = new ArrayList<>();
    final ConcurrentLinkedQueue<Seen> verdicts = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final Thread reader;

    private ScorerCluster(LocalStack stack) {
        this.stack = stack;
        this.reader = new Thread(this::readVerdicts, "verdict-reader");
    }

    static ScorerCluster start(LocalStack stack, Path dir, Path trustedKey, int size) {
        return start(stack, dir, trustedKey, size, Map.of());
    }

    /** @param extra further scorer settings, e.g. model.control.trusted.keys */
    static ScorerCluster start(LocalStack stack, Path dir, Path trustedKey, int size, Map<String, String> extra) {
        final ScorerCluster cluster = new ScorerCluster(stack);
        cluster.reader.start();
        for (int i = 0; i < size; i++) {
            final String id = "scorer-" + (char) ('a' + i);
            final Map<String, String> settings = connection(stack);
            settings.putAll(Map.of(
                    ScorerConfig.APPLICATION_ID, "fraud-scorer-lifecycle-it",
                    ScorerConfig.INSTANCE_ID, id,
                    ScorerConfig.STATUS_INTERVAL_MS, "300",
                    ScorerConfig.TRUSTED_KEYS, trustedKey.toString(),
                    ScorerConfig.STATE_DIR, dir.resolve("state-" + id).toString()));
            settings.putAll(extra);
            final ScorerConfig config = new ScorerConfig(settings);
            final ModelCache cache = new ModelCache(config.trustedKeys(), config.featureCapabilities(), (k, r) -> { });
            final KafkaStreams streams = ScorerMain.createStreams(config, cache, ScorerMetrics.discarding());
            final List<KafkaStreams.State> transitions = new CopyOnWriteArrayList<>();
            streams.setStateListener((now, before) -> transitions.add(now));
            streams.start();
            cluster.instances.add(new Instance(id, streams, cache, StatusReporter.start(config, cache, streams),
                    transitions));
        }
        return cluster;
    }

    void awaitRunning(Duration timeout) throws InterruptedException {
        awaitRunning(instances.stream().map(Instance::streams).toList(), timeout);
    }

    /** Until every client is RUNNING with active tasks (RUNNING alone can precede the first assignment). */
    static void awaitRunning(List<KafkaStreams> clients, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!clients.stream().allMatch(c -> c.state() == KafkaStreams.State.RUNNING)
                || clients.stream().anyMatch(c -> c.metadataForLocalThreads().stream()
                .allMatch(t -> t.activeTasks().isEmpty()))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("instances not RUNNING with tasks within " + timeout + ": "
                        + clients.stream().map(KafkaStreams::state).toList() + "\n"
                        + ThreadsDump.of(name -> name.contains("StreamThread")));
            }
            Thread.sleep(100);
        }
    }

    /** How many times any instance entered REBALANCING so far. */
    long rebalances() {
        return instances.stream().mapToLong(i -> i.transitions().stream()
                .filter(s -> s == KafkaStreams.State.REBALANCING).count()).sum();
    }

    /** Input partitions each instance owns; verdicts land on the same partition number as their input. */
    Map<String, List<Integer>> partitions() {
        final Map<String, List<Integer>> out = new java.util.TreeMap<>();
        for (Instance i : instances) {
            out.put(i.id(), i.streams().metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
                    .flatMap(t -> t.topicPartitions().stream()).filter(tp -> tp.topic().equals(Topics.TRANSACTIONS.name()))
                    .map(TopicPartition::partition).sorted().toList());
        }
        return out;
    }

    /** What a load sends as its n-th record (any number of records to any topics). */
    @FunctionalInterface
    interface Sender {
        void send(KafkaProducer<String, byte[]> producer, int n);
    }

    /** Sends {@code perSecond} rounds of {@link Sender} per second until stopped. */
    final class Load implements AutoCloseable {
        final AtomicLong sent = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Load(int perSecond, Sender sender) {
            thread = new Thread(() -> run(perSecond, sender), "load");
            thread.start();
        }

        private void run(int perSecond, Sender sender) {
            try (KafkaProducer<String, byte[]> producer = producer()) {
                final long start = System.nanoTime();
                for (int n = 0; running.get(); n++) {
                    sender.send(producer, n);
                    sent.incrementAndGet();
                    final long wait = start + (n + 1) * 1_000_000_000L / perSecond - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** Transactions {@code prefix + n}, keyed by {@code keyOf(n)}, at {@code perSecond}. */
    Load load(int perSecond, String prefix, IntFunction<String> keyOf) {
        final Serde<Transaction> serde = AvroSerdes.values(stack.registryUrl());
        return new Load(perSecond, (producer, n) -> producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(),
                keyOf.apply(n), serde.serializer().serialize(Topics.TRANSACTIONS.name(),
                        transaction(prefix + n, keyOf.apply(n), n)))));
    }

    Load load(int perSecond, Sender sender) {
        return new Load(perSecond, sender);
    }

    /** Sends one transaction per key, once; returns how many. */
    int sendOnce(String prefix, List<String> keys) {
        final Serde<Transaction> serde = AvroSerdes.values(stack.registryUrl());
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int n = 0; n < keys.size(); n++) {
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), keys.get(n), serde.serializer()
                        .serialize(Topics.TRANSACTIONS.name(), transaction(prefix + n, keys.get(n), n))));
            }
        }
        return keys.size();
    }

    private static Transaction transaction(String id, String customer, int n) {
        return Transaction.newBuilder().setTransactionId(id)
                .setEventTime(Instant.parse("2018-08-01T00:00:00Z").plusSeconds(n % 1_000_000))
                .setCustomerId(customer).setTerminalId("term-" + (n % 500)).setAmount(10 + n % 90).build();
    }

    /**
     * Scorer settings that connect to {@code stack}: bootstrap servers, registry and, on an authenticated stack, the
     * scorer's credentials. Mutable, for further settings.
     */
    static Map<String, String> connection(LocalStack stack) {
        final Map<String, String> settings = new java.util.HashMap<>();
        settings.put(ScorerConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        settings.put(ScorerConfig.REGISTRY_URL, stack.registryUrl());
        if (stack.secured()) {
            settings.put(ScorerConfig.CLIENT_CONFIG, stack.clientConfigFile(Access.Role.SCORER).toString());
        }
        return settings;
    }

    /** Kafka client properties of {@code role} on {@code stack}. */
    static Properties client(LocalStack stack, Access.Role role) {
        final Properties props = new Properties();
        props.putAll(stack.clientConfig(role));
        return props;
    }

    private KafkaProducer<String, byte[]> producer() {
        final Properties props = client(stack, Access.Role.PRODUCER);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Waits until {@code count} verdicts whose transaction id starts with {@code prefix} have been read. */
    List<Seen> awaitVerdicts(String prefix, long count, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final List<Seen> seen = verdicts.stream().filter(v -> v.transactionId().startsWith(prefix)).toList();
            if (seen.size() >= count || System.nanoTime() > deadline) {
                return seen;
            }
            Thread.sleep(100);
        }
    }

    private void readVerdicts() {
        final Serde<Verdict> serde = AvroSerdes.values(stack.registryUrl());
        final Properties props = client(stack, Access.Role.CONSUMER);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = consumer.partitionsFor(Topics.VERDICTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (reading.get()) {
                for (var record : consumer.poll(Duration.ofMillis(50))) {
                    final Verdict v = serde.deserializer().deserialize(record.topic(), record.value());
                    verdicts.add(new Seen(record.partition(), v.getTransactionId(), v.getCustomerId(),
                            v.getModelVersion(), v.getScoredAt().toEpochMilli()));
                }
            }
        }
    }

    /** Reasons of every dead letter so far, for failure messages. */
    static List<String> deadLetterReasons(LocalStack stack) {
        final List<String> reasons = new ArrayList<>();
        readAll(stack, Topics.DEAD_LETTERS.name(), 1, r -> {
            final var h = r.headers().lastHeader("dlq.reason");
            final var m = r.headers().lastHeader("dlq.message");
            reasons.add((h == null ? "?" : new String(h.value())) + ": " + (m == null ? "" : new String(m.value())));
        });
        return reasons;
    }

    /**
     * Reads {@code topic} from the beginning (read_committed) until {@code expected} records arrived or 90 s
     * passed, then two more seconds: anything beyond the count would be a duplicate or a stray.
     */
    static void readAll(LocalStack stack, String topic, int expected,
                                java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        // The auditor reads verdicts and dead letters alike; other topics need the super user.
        final Properties props = new Properties();
        if (topic.equals(Topics.VERDICTS.name()) || topic.equals(Topics.DEAD_LETTERS.name())) {
            props.putAll(stack.clientConfig(Access.Role.AUDITOR));
        } else {
            props.putAll(stack.superUserConfig());
        }
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        int seen = 0;
        final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (seen < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    each.accept(r);
                    seen++;
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                each.accept(r);
            }
        }
    }

    /** Runs the model-control CLI against this stack; returns exit code and what it printed. */
    CliResult cli(String... args) {
        return cli(stack, args);
    }

    /** The model-control CLI against {@code stack}. */
    static CliResult cli(LocalStack stack, String... args) {
        final List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl()));
        if (stack.secured()) {
            all.addAll(List.of("--command-config", stack.clientConfigFile(Access.Role.OPERATOR).toString()));
        }
        return run(all.toArray(String[]::new));
    }

    static CliResult run(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final var cli = ModelControlMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int code = cli.execute(args);
        return new CliResult(code, out.toString(), err.toString());
    }

    record CliResult(int code, String out, String err) {
    }

    /** The golden bundle with a different thresholds rule text: same trees, different bytes, so another version. */
    static Path variant(Path golden, Path dir, String tag) throws IOException {
        return variant(golden, dir, tag, 0);
    }

    /** As {@link #variant(Path, Path, String)}, with {@code paddingBytes} of random text in the manifest. */
    static Path variant(Path golden, Path dir, String tag, int paddingBytes) throws IOException {
        final ModelBundle bundle = ModelBundle.readFrom(golden);
        final Manifest m = bundle.manifest();
        final Map<String, String> versions = new java.util.TreeMap<>(m.versions());
        if (paddingBytes > 0) {
            // In 4 MiB strings: Jackson refuses single strings over 20 MB.
            final java.util.Random random = new java.util.Random(42);
            for (int part = 0; part * 4 * 1024 * 1024 < paddingBytes; part++) {
                final byte[] chunk = new byte[Math.min(4 * 1024 * 1024, paddingBytes - part * 4 * 1024 * 1024) * 3 / 4];
                random.nextBytes(chunk);
                versions.put("padding-" + part, java.util.Base64.getEncoder().encodeToString(chunk));
            }
        }
        final Manifest changed = new Manifest(m.formatVersion(), m.modelName(), m.featureSpec(), m.modelFile(),
                m.modelSha256(), m.objective(), m.params(), m.rounds(), m.training(), m.metrics(), m.protocol(),
                new Manifest.Thresholds(m.thresholds().review(), m.thresholds().decline(), m.thresholds().rule() + " " + tag),
                m.referenceRows(), versions, m.screening());
        new ModelBundle(changed, bundle.model()).writeTo(dir);
        return dir;
    }

    @Override
    public void close() throws InterruptedException {
        for (Instance i : instances) {
            i.status().close();
            i.streams().close(Duration.ofSeconds(30));
        }
        reading.set(false);
        reader.join();
    }
}
