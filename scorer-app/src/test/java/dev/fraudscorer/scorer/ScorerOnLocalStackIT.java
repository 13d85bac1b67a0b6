package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.control.cli.ModelControlMain;
import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real thing: a KRaft broker and an Apicurio Registry as child processes, the model published and promoted with
 * the model-control CLI, transactions produced with the Apicurio serializer, verdicts read read_committed.
 */
class ScorerOnLocalStackIT {

    private static final int TRANSACTIONS = 2_000;
    private static LocalStack stack;
    private static KafkaStreams streams;

    @BeforeAll
    static void startStackAndScorer() throws Exception {
        final Path dir = Files.createTempDirectory(Path.of("target"), "local-stack-");
        stack = LocalStack.start(LocalStack.Options.freePorts(dir));
        assertEquals(0, ScorerCluster.cli(stack, "publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key",
                TestKeys.writeTrainer(dir.resolve("keys")).toString()).code());
        assertEquals(0, ScorerCluster.cli(stack, "promote", "1").code());
        final Map<String, String> settings = ScorerCluster.connection(stack);
        settings.put(ScorerConfig.STATE_DIR, dir.resolve("state").toString());
        streams = ScorerMain.createStreams(new ScorerConfig(settings),
                new ModelCache(TestKeys.trusted(), new ScorerConfig(Map.of()).featureCapabilities(), (k, r) -> { }), ScorerMetrics.discarding());
        streams.start();
    }

    @AfterAll
    static void stop() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(10));
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyValidTransactionGetsExactlyOneVerdictAndBadOnesGoToTheDeadLetterTopic() throws Exception {
        ScorerCluster.awaitRunning(List.of(streams), Duration.ofSeconds(60));
        final Serde<Transaction> txSerde = AvroSerdes.values(stack.registryUrl());
        final Set<String> sent = new HashSet<>();
        final Properties producerProps = ScorerCluster.client(stack, Access.Role.PRODUCER);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < TRANSACTIONS; i++) {
                final String customer = "c-" + (i % 97);
                final Transaction tx = Transaction.newBuilder().setTransactionId("t-" + i)
                        .setEventTime(Instant.parse("2018-08-09T10:00:00Z").plusSeconds(i)).setCustomerId(customer)
                        .setTerminalId("term-" + (i % 13)).setAmount(5 + i % 300).build();
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), customer,
                        txSerde.serializer().serialize(Topics.TRANSACTIONS.name(), tx)));
                sent.add(tx.getTransactionId());
                if (i % 500 == 0) {
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), customer,
                            "garbage".getBytes(StandardCharsets.UTF_8)));
                }
            }
        }

        final Map<String, Integer> verdicts = new HashMap<>();
        final Serde<Verdict> verdictSerde = AvroSerdes.values(stack.registryUrl());
        int deadLetters = 0;
        final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = new java.util.ArrayList<>();
            for (String topic : List.of(Topics.VERDICTS.name(), Topics.DEAD_LETTERS.name())) {
                consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while ((verdicts.values().stream().mapToInt(Integer::intValue).sum() < TRANSACTIONS || deadLetters < 4)
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(Topics.VERDICTS.name())) {
                        final Verdict v = verdictSerde.deserializer().deserialize(record.topic(), record.value());
                        assertEquals(1, v.getModelVersion());
                        assertEquals(v.getCustomerId(), new String(record.key(), StandardCharsets.UTF_8));
                        verdicts.merge(v.getTransactionId(), 1, Integer::sum);
                    } else {
                        assertEquals("DESERIALIZATION_FAILED",
                                new String(record.headers().lastHeader("dlq.reason").value(), StandardCharsets.UTF_8));
                        deadLetters++;
                    }
                }
            }
            // Anything late would be a duplicate: give it a moment to show up.
            for (int i = 0; i < 5; i++) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(Topics.VERDICTS.name())) {
                        verdicts.merge(verdictSerde.deserializer().deserialize(record.topic(), record.value())
                                .getTransactionId(), 1, Integer::sum);
                    } else {
                        deadLetters++;
                    }
                }
            }
        }
        if (!sent.equals(verdicts.keySet())) {
            final Set<String> missing = new HashSet<>(sent);
            missing.removeAll(verdicts.keySet());
            // What the scorer's threads were doing is what a failure on a slower machine needs to be understood.
            System.out.println(ThreadsDump.of(name -> name.contains("StreamThread") || name.contains("schema-id")));
            assertEquals(Set.of(), missing, missing.size() + " of " + sent.size() + " transactions have no verdict"
                    + " after 90 s (" + deadLetters + " dead letters, scorer " + streams.state() + ")");
        }
        assertEquals(sent, verdicts.keySet(), "every transaction has a verdict, none is invented");
        assertTrue(verdicts.values().stream().allMatch(n -> n == 1), "no duplicates");
        assertEquals(4, deadLetters);
        assertEquals(KafkaStreams.State.RUNNING, streams.state());
    }

    @Test
    void promotingAnUnknownVersionFailsWithOneLineAndWritesNothing() {
        final StringWriter err = new StringWriter();
        final var cli = ModelControlMain.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("promote", "42", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--command-config",
                stack.clientConfigFile(Access.Role.OPERATOR).toString()));
        assertTrue(err.toString().startsWith("error: version 42 of model 'fraud' is not published"), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
        final StringWriter out = new StringWriter();
        final var status = ModelControlMain.commandLine();
        status.setOut(new PrintWriter(out, true));
        assertEquals(0, status.execute("status", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--command-config",
                stack.clientConfigFile(Access.Role.OPERATOR).toString()));
        assertTrue(out.toString().contains("active version 1"), out.toString());
    }

    /** Under the scorer's own principal: its grants cover the scratch topic and transactional id. */
    @Test
    void theClientWarmUpReadsBackWhatItWroteAndDeletesItsScratchTopic() throws Exception {
        final ScorerConfig config = new ScorerConfig(ScorerCluster.connection(stack));
        assertEquals(5_000, ClientWarmup.run(config, 5_000, new java.util.concurrent.atomic.AtomicBoolean()));
        try (org.apache.kafka.clients.admin.Admin admin = stack.admin()) {
            final Set<String> left = new HashSet<>(admin.listTopics().names().get());
            left.removeIf(t -> !t.contains("-warmup-"));
            assertEquals(Set.of(), left);
        }
        final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean(true);
        assertEquals(0, ClientWarmup.run(config, 5_000, stopped), "a stopping scorer writes nothing");
    }

    private static Properties consumerProps() {
        // Verdicts and dead letters alike: the auditor's view.
        final Properties props = ScorerCluster.client(stack, Access.Role.AUDITOR);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }
}
