package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.TopicSpec;
import dev.fraudscorer.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authenticated local stack (SASL/SCRAM-SHA-512, StandardAuthorizer, nothing allowed unless granted) against the
 * access declaration ({@link Access}): each principal does its job, each forbidden action fails with an
 * authorization error and leaves the topic's end offsets as they were, and the scorer runs end to end under its own
 * principal. Prints the matrix it checked.
 */
class AuthorizationOnLocalStackIT {

    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        final Path dir = Files.createTempDirectory(Path.of("target"), "secured-stack-");
        stack = LocalStack.start(LocalStack.Options.freePorts(dir).withAuthentication(true));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private record Case(Access.Role role, String action, boolean allowed, TopicSpec written, Action run) {
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    @Test
    void eachPrincipalDoesItsJobAndEveryForbiddenActionIsRefusedAndChangesNothing() throws Exception {
        final List<Case> cases = new ArrayList<>();
        for (Access.Role role : Access.Role.values()) {
            for (TopicSpec topic : List.of(Topics.TRANSACTIONS, Topics.FRAUD_LABELS, Topics.MODEL_REGISTRY,
                    Topics.MODEL_CONTROL, Topics.SCORER_STATUS, Topics.VERDICTS)) {
                final boolean allowed = switch (role) {
                    case PRODUCER -> topic == Topics.TRANSACTIONS || topic == Topics.FRAUD_LABELS;
                    case REPLAYER -> topic == Topics.TRANSACTIONS;
                    case SCORER -> topic == Topics.SCORER_STATUS || topic == Topics.VERDICTS;
                    case OPERATOR -> topic == Topics.MODEL_REGISTRY || topic == Topics.MODEL_CONTROL;
                    case WEBHOOK -> topic == Topics.MODEL_CONTROL;
                    case CONSUMER, AUDITOR -> false;
                };
                cases.add(new Case(role, "write " + topic.name(), allowed, topic, () -> write(role, topic)));
            }
        }
        cases.add(reading(Access.Role.CONSUMER, Topics.VERDICTS, "fraud-verdicts-audit", true));
        cases.add(reading(Access.Role.CONSUMER, Topics.VERDICTS, "someone-else", false));
        cases.add(reading(Access.Role.CONSUMER, Topics.DEAD_LETTERS, null, false));
        cases.add(reading(Access.Role.AUDITOR, Topics.DEAD_LETTERS, null, true));
        cases.add(reading(Access.Role.AUDITOR, Topics.TRANSACTIONS, null, false));
        cases.add(reading(Access.Role.CONSUMER, Topics.TRANSACTIONS, null, false));
        cases.add(reading(Access.Role.PRODUCER, Topics.TRANSACTIONS, null, false));
        cases.add(reading(Access.Role.SCORER, Topics.TRANSACTIONS, Access.SCORER_APPLICATION_ID, true));
        cases.add(reading(Access.Role.SCORER, Topics.MODEL_CONTROL, null, true));
        cases.add(reading(Access.Role.WEBHOOK, Topics.MODEL_CONTROL, null, true));
        cases.add(reading(Access.Role.WEBHOOK, Topics.TRANSACTIONS, null, false));
        cases.add(reading(Access.Role.OPERATOR, Topics.SCORER_STATUS, null, true));
        cases.add(reading(Access.Role.OPERATOR, Topics.VERDICTS, null, false));

        final List<String> table = new ArrayList<>();
        final List<String> wrong = new ArrayList<>();
        try (Admin admin = stack.admin()) {
            for (Case c : cases) {
                final Map<TopicPartition, Long> before = c.written == null ? Map.of() : endOffsets(admin, c.written);
                String outcome;
                try {
                    c.run.run();
                    outcome = "allowed";
                } catch (AuthorizationException e) {
                    outcome = "denied (" + e.getClass().getSimpleName() + ")";
                }
                final boolean allowed = outcome.equals("allowed");
                if (c.written != null) {
                    final Map<TopicPartition, Long> after = endOffsets(admin, c.written);
                    final long added = after.values().stream().mapToLong(Long::longValue).sum()
                            - before.values().stream().mapToLong(Long::longValue).sum();
                    if (added != (allowed ? 1 : 0)) {
                        wrong.add(c.role + " " + c.action + ": " + added + " records added");
                    }
                }
                if (allowed != c.allowed) {
                    wrong.add(c.role + " " + c.action + ": expected " + (c.allowed ? "allowed" : "denied") + ", was "
                            + outcome);
                }
                table.add(String.format("%-9s %-50s %s", c.role.user(), c.action, outcome));
            }
        }
        System.out.println("principal action                                             outcome\n"
                + String.join("\n", table));
        assertEquals(List.of(), wrong);
    }

    /** {@code role} reads {@code topic} (with {@code group}, or assigned without one). */
    private static Case reading(Access.Role role, TopicSpec topic, String group, boolean allowed) {
        return new Case(role, "read " + topic.name() + (group == null ? "" : ", group " + group), allowed, null,
                () -> read(role, topic, group));
    }

    @Test
    void clientsWithoutValidCredentialsAreRefused() {
        final Map<String, Object> anonymous = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(),
                "request.timeout.ms", 3000, "default.api.timeout.ms", 6000));
        try (Admin admin = Admin.create(anonymous)) {
            final ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException, e.toString());
        }
        final Map<String, Object> wrongPassword = new HashMap<>(stack.clientConfig(Access.Role.OPERATOR));
        wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"operator\" password=\"guess\";");
        try (Admin admin = Admin.create(wrongPassword)) {
            final ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(20, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
        }
    }

    /** The scorer's grants are enough for Kafka Streams under exactly-once, its status and its global stores. */
    @Test
    void theScorerRunsUnderItsOwnPrincipalFromProducerToConsumer() throws Exception {
        final Path keys = Files.createTempDirectory(Path.of("target"), "secured-keys-");
        assertEquals(0, ScorerCluster.cli(stack, "publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key",
                TestKeys.writeTrainer(keys).toString()).code());
        assertEquals(0, ScorerCluster.cli(stack, "promote", "1").code());
        final Map<String, Object> settings = new HashMap<>();
        stack.clientConfig(Access.Role.SCORER).forEach((k, v) -> settings.put(k.equals("bootstrap.servers") ? k
                : ScorerConfig.STREAMS_PREFIX + k, v));
        settings.put(ScorerConfig.REGISTRY_URL, stack.registryUrl());
        settings.put(ScorerConfig.STATE_DIR, keys.resolve("state").toString());
        final ScorerConfig config = new ScorerConfig(settings);
        final ModelCache cache = new ModelCache(TestKeys.trusted(), config.featureCapabilities(), (k, r) -> { });
        try (KafkaStreams streams = ScorerMain.createStreams(config, cache, ScorerMetrics.discarding());
             StatusReporter status = StatusReporter.start(config, cache, streams)) {
            streams.start();
            ScorerCluster.awaitRunning(List.of(streams), Duration.ofSeconds(90));
            final Serde<Transaction> txSerde = AvroSerdes.values(stack.registryUrl());
            final Set<String> sent = new HashSet<>();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.clientConfig(Access.Role.PRODUCER),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 200; i++) {
                    final Transaction tx = Transaction.newBuilder().setTransactionId("s-" + i)
                            .setEventTime(Instant.parse("2018-08-09T10:00:00Z").plusSeconds(i)).setCustomerId("c-" + i % 7)
                            .setTerminalId("term-" + i % 5).setAmount(10 + i).build();
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), tx.getCustomerId(),
                            txSerde.serializer().serialize(Topics.TRANSACTIONS.name(), tx))).get();
                    sent.add(tx.getTransactionId());
                }
            }
            final Serde<Verdict> verdictSerde = AvroSerdes.values(stack.registryUrl());
            final Set<String> verdicts = new HashSet<>();
            final Map<String, Object> consumerProps = new HashMap<>(stack.clientConfig(Access.Role.CONSUMER));
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, Access.VERDICT_GROUP_PREFIX + "it");
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.VERDICTS.name()));
                final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (verdicts.size() < sent.size() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                        if (r.value() != null) {
                            verdicts.add(verdictSerde.deserializer().deserialize(r.topic(), r.value()).getTransactionId());
                        }
                    });
                }
            }
            assertEquals(sent, verdicts, "every transaction sent by the producer got a verdict the consumer read");
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
            // The scorer's status reached scorer-status under its principal; the operator reads it.
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            ScorerCluster.CliResult shown = ScorerCluster.cli(stack, "status");
            while (!shown.out().contains(config.instanceId()) && System.nanoTime() < deadline) {
                Thread.sleep(500);
                shown = ScorerCluster.cli(stack, "status");
            }
            assertTrue(shown.out().contains(config.instanceId()), shown.out() + shown.err());
        }
    }

    private static void write(Access.Role role, TopicSpec topic) throws Exception {
        final Map<String, Object> props = new HashMap<>(stack.clientConfig(role));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // A tombstone: counted in the end offsets, and every reader of these topics skips it.
            producer.send(new ProducerRecord<>(topic.name(), "authz-matrix".getBytes(StandardCharsets.UTF_8), null))
                    .get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException denied) {
                throw denied;
            }
            throw e;
        } catch (org.apache.kafka.common.KafkaException e) {
            // A principal that may write nothing is refused its producer id (CLUSTER_AUTHORIZATION_FAILED). When that
            // answer arrives before send() adds the partition, send() throws it wrapped instead of failing the future.
            if (e.getCause() instanceof AuthorizationException denied) {
                throw denied;
            }
            throw e;
        }
    }

    /** Polls {@code topic} from the start for a few seconds; an authorization failure is thrown by poll. */
    private static void read(Access.Role role, TopicSpec topic, String group) {
        final Map<String, Object> props = new HashMap<>(stack.clientConfig(role));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            if (group != null) {
                consumer.subscribe(List.of(topic.name()));
            } else {
                final List<TopicPartition> parts = new ArrayList<>();
                for (int p = 0; p < topic.partitions(); p++) {
                    parts.add(new TopicPartition(topic.name(), p));
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
            }
            final long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200));
            }
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, TopicSpec topic) throws Exception {
        final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < topic.partitions(); p++) {
            request.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
        }
        final Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }
}
