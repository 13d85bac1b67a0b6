package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.scorer.control.Serving;
import dev.fraudscorer.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.junit.jupiter.api.Test;

/**
 * The model lifecycle on the real stack with two scorer instances sharing six input partitions: invalid commands
 * write nothing; a rollback mid-stream moves both instances to the previous version without a restart or a
 * rebalance and without losing or duplicating a record; a 10% canary takes 10% ± 2% of 12,000 keys, stably; a
 * version signed by an untrusted key, a tampered version and a replayed older control record are each rejected by
 * both instances, which keep serving the old version and report the rejection in scorer-status.
 */
class ModelLifecycleOnLocalStackIT {

    @Test
    void rollbackCanaryAndRejectionAcrossTwoInstances() throws Exception {
        final Path dir = Files.createTempDirectory(Path.of("target"), "lifecycle-");
        try (LocalStack stack = LocalStack.start(LocalStack.Options.freePorts(dir))) {
            final Path key = TestKeys.writeTrainer(dir.resolve("keys"));
            final Path trusted = dir.resolve("keys/trainer.pub");
            final Path v2 = ScorerCluster.variant(ScorerTopologyTest.GOLDEN, dir.resolve("v2"), "v2");
            try (ScorerCluster cluster = ScorerCluster.start(stack, dir, trusted, 2)) {
                ok(cluster.cli("publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key", key.toString()));
                ok(cluster.cli("publish", v2.toString(), "--signing-key", key.toString()));
                ok(cluster.cli("promote", "1"));
                ok(cluster.cli("promote", "2"));

                invalidCommandsWriteNothing(cluster, stack, key);

                cluster.awaitRunning(Duration.ofSeconds(90));
                System.out.println("partitions per instance: " + cluster.partitions());
                final long rebalancesBefore = cluster.rebalances();
                final ScorerCluster.Load load = cluster.load(600, "r-", n -> "c-" + (n % 5000));
                awaitVersionOnEveryPartition(cluster, "r-", 2);

                final long before = System.currentTimeMillis();
                ok(cluster.cli("rollback", "--reason", "test"));
                Thread.sleep(3_000);
                load.close();
                final List<ScorerCluster.Seen> seen = cluster.awaitVerdicts("r-", load.sent.get(), Duration.ofSeconds(60));

                final java.util.Set<String> got = seen.stream().map(ScorerCluster.Seen::transactionId)
                        .collect(Collectors.toSet());
                // The message is built only on failure: reading the dead letters takes seconds.
                assertEquals(load.sent.get(), seen.size(), () -> "one verdict per input; missing "
                        + IntStream.range(0, (int) load.sent.get()).mapToObj(i -> "r-" + i).filter(id -> !got.contains(id))
                        .limit(5).toList() + ", dead letters " + ScorerCluster.deadLetterReasons(stack));
                assertEquals(seen.size(), seen.stream().map(ScorerCluster.Seen::transactionId).distinct().count(),
                        "no duplicates");
                final Map<Integer, Long> firstOld = new HashMap<>();
                for (ScorerCluster.Seen v : seen.stream().sorted(java.util.Comparator.comparingLong(ScorerCluster.Seen::scoredAtMs)).toList()) {
                    if (v.version() == 1 && v.scoredAtMs() >= before) {
                        firstOld.putIfAbsent(v.partition(), v.scoredAtMs());
                    }
                    if (v.version() == 2 && firstOld.containsKey(v.partition())) {
                        throw new AssertionError("partition " + v.partition() + " went back to version 2 after the rollback");
                    }
                }
                assertEquals(6, firstOld.size(), "every partition switched: " + firstOld);
                final long converged = firstOld.values().stream().mapToLong(Long::longValue).max().orElseThrow() - before;
                System.out.printf("rollback: every partition on version 1 %d ms after the command started"
                        + " (includes the CLI reading the registry)%n", converged);
                assertEquals(rebalancesBefore, cluster.rebalances(), "no rebalance");
                assertTrue(cluster.instances.stream().allMatch(i -> i.streams().state().isRunningOrRebalancing()));

                canary(cluster);
                bothSerdesReadEachOther(stack);
                theLauncherRunsACommand(stack);
                untrustedVersionIsRejected(cluster, stack, dir);
            }
        }
    }

    private static void invalidCommandsWriteNothing(ScorerCluster cluster, LocalStack stack, Path key) throws Exception {
        final long controlEnd = endOffset(stack, Topics.MODEL_CONTROL.name());
        final long registryEnd = endOffset(stack, Topics.MODEL_REGISTRY.name());
        for (String[] bad : List.of(new String[] {"promote", "99"}, new String[] {"promote", "2"},
                new String[] {"rollback", "--to", "42"}, new String[] {"canary", "1", "--percent", "0"},
                new String[] {"canary", "2", "--percent", "10"}, new String[] {"clear-canary"},
                new String[] {"shadow", "77"}, new String[] {"show", "9"},
                new String[] {"publish", ScorerTopologyTest.GOLDEN.toString()},
                new String[] {"publish", "no-such-dir", "--signing-key", key.toString()})) {
            final ScorerCluster.CliResult r = cluster.cli(bad);
            assertEquals(2, r.code(), String.join(" ", bad) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        assertEquals(controlEnd, endOffset(stack, Topics.MODEL_CONTROL.name()), "nothing written to model-control");
        assertEquals(registryEnd, endOffset(stack, Topics.MODEL_REGISTRY.name()), "nothing written to model-registry");
    }

    private static void canary(ScorerCluster cluster) throws Exception {
        ok(cluster.cli("canary", "2", "--percent", "10"));
        awaitServing(cluster, s -> s.canary() != null && s.canaryPercent() == 10);
        final List<String> keys = IntStream.range(0, 12_000).mapToObj(i -> "k-" + i).toList();
        cluster.sendOnce("k1-", keys);
        cluster.sendOnce("k2-", keys);
        final Map<String, List<Integer>> byKey = cluster.awaitVerdicts("k", 2L * keys.size(), Duration.ofSeconds(90))
                .stream().collect(Collectors.groupingBy(ScorerCluster.Seen::customerId,
                        Collectors.mapping(ScorerCluster.Seen::version, Collectors.toList())));
        assertEquals(keys.size(), byKey.size());
        assertTrue(byKey.values().stream().allMatch(v -> v.size() == 2 && v.get(0).equals(v.get(1))),
                "a key always gets the same version");
        final long onCanary = byKey.values().stream().filter(v -> v.get(0) == 2).count();
        System.out.printf("canary 10%%: %d of %d keys (%.2f%%) on version 2%n", onCanary, keys.size(),
                100.0 * onCanary / keys.size());
        assertTrue(onCanary >= 0.08 * keys.size() && onCanary <= 0.12 * keys.size(), "10% ± 2%: " + onCanary);
        ok(cluster.cli("clear-canary"));
        awaitServing(cluster, s -> s.canary() == null);
    }

    private static void untrustedVersionIsRejected(ScorerCluster cluster, LocalStack stack, Path dir) throws Exception {
        ok(ScorerCluster.run("keys", "generate", "--out", dir.resolve("stranger/key").toString()));
        final Path v3 = ScorerCluster.variant(ScorerTopologyTest.GOLDEN, dir.resolve("v3"), "v3");
        ok(cluster.cli("publish", v3.toString(), "--signing-key", dir.resolve("stranger/key.key").toString()));
        ok(cluster.cli("promote", "3"));
        assertRejectedByBothAndOldServes(cluster, "rejected fraud/3: signed by key", "s-");

        // Tampered after signing: the registry record's sha256 is recomputed, as an attacker with topic access would.
        final byte[] good = dev.fraudscorer.bundle.ModelBundle.readFrom(
                ScorerCluster.variant(ScorerTopologyTest.GOLDEN, dir.resolve("v4"), "v4")).toBytes();
        final byte[] tampered = good.clone();
        tampered[tampered.length / 2] ^= 1;
        final var signer = TestKeys.TRAINER;
        produce(stack, Topics.MODEL_REGISTRY.name(), "fraud/4", dev.fraudscorer.schema.ModelVersion.newBuilder()
                .setModelName("fraud").setVersion(4).setBundle(java.nio.ByteBuffer.wrap(tampered))
                .setBundleSha256(dev.fraudscorer.bundle.ModelBundle.sha256(tampered))
                .setSignature(java.nio.ByteBuffer.wrap(dev.fraudscorer.bundle.BundleSigning.sign(signer.getPrivate(), good)))
                .setSignedBy(dev.fraudscorer.bundle.BundleSigning.keyId(signer.getPublic()))
                .setPublishedAt(java.time.Instant.now()).setPublishedBy("attacker").build());
        ok(cluster.cli("promote", "4"));
        assertRejectedByBothAndOldServes(cluster, "rejected fraud/4: the Ed25519 signature", "t-");

        // A replayed old control record (generation 1 named version 1; now an older generation naming version 2).
        produce(stack, Topics.MODEL_CONTROL.name(), "fraud", dev.fraudscorer.schema.ModelControl.newBuilder()
                .setModelName("fraud").setActiveVersion(2).setGeneration(1).setIssuedBy("replay").setReason("replay")
                .setIssuedAt(java.time.Instant.now()).build());
        assertRejectedByBothAndOldServes(cluster, "rejected fraud/control@1: control record generation 1", "u-");

        // A large version: 24 MiB of incompressible manifest padding travels as one record and serves.
        final Path big = dir.resolve("v5");
        ScorerCluster.variant(ScorerTopologyTest.GOLDEN, big, "v5", 24 * 1024 * 1024);
        final ScorerCluster.CliResult published = cluster.cli("publish", big.toString(), "--signing-key",
                TestKeys.writeTrainer(dir.resolve("keys")).toString());
        ok(published);
        System.out.print(published.out());
        ok(cluster.cli("promote", "5"));
        awaitServing(cluster, s -> s.active().version() == 5);
        final int sent = cluster.sendOnce("v-", IntStream.range(0, 100).mapToObj(i -> "c-" + i).toList());
        assertTrue(cluster.awaitVerdicts("v-", sent, Duration.ofSeconds(30)).stream().allMatch(v -> v.version() == 5),
                "the large version serves");
    }

    /** Both instances report {@code marker} in scorer-status, and new transactions are still scored by version 1. */
    private static void assertRejectedByBothAndOldServes(ScorerCluster cluster, String marker, String prefix)
            throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String status;
        do {
            Thread.sleep(300);
            status = cluster.cli("status").out();
        } while (status.split(java.util.regex.Pattern.quote(marker)).length < 3 && System.nanoTime() < deadline);
        System.out.print(status);
        assertEquals(3, status.split(java.util.regex.Pattern.quote(marker)).length, "both instances report it:\n" + status);
        final int sent = cluster.sendOnce(prefix, IntStream.range(0, 200).mapToObj(i -> "c-" + i).toList());
        final List<ScorerCluster.Seen> after = cluster.awaitVerdicts(prefix, sent, Duration.ofSeconds(30));
        assertEquals(sent, after.size());
        assertTrue(after.stream().allMatch(v -> v.version() == 1), "the old version keeps serving");
    }

    /** The CLI's serdes (plain HTTP) and the scorer's (Apicurio's client) write the same bytes and read each other's. */
    private static void bothSerdesReadEachOther(LocalStack stack) {
        final String topic = Topics.MODEL_CONTROL.name();
        final dev.fraudscorer.schema.ModelControl record = dev.fraudscorer.schema.ModelControl.newBuilder()
                .setModelName("serde-check").setActiveVersion(4).setIssuedBy("test").setReason("both serdes")
                .setIssuedAt(java.time.Instant.ofEpochMilli(1_700_000_000_123L)).setGeneration(9).setCanaryVersion(5)
                .setCanaryPercent(10).setRolledBack(List.of(2, 3)).build();
        final var apicurio = dev.fraudscorer.topics.AvroSerdes.<dev.fraudscorer.schema.ModelControl>values(stack.registryUrl());
        final var http = dev.fraudscorer.topics.HttpRegistrySerdes.<dev.fraudscorer.schema.ModelControl>values(
                stack.registryUrl(), dev.fraudscorer.schema.ModelControl.getClassSchema());
        final byte[] byApicurio = apicurio.serializer().serialize(topic, record);
        final byte[] byHttp = http.serializer().serialize(topic, record);
        org.junit.jupiter.api.Assertions.assertArrayEquals(byApicurio, byHttp, "the same bytes, schema id included");
        assertEquals(record, http.deserializer().deserialize(topic, byApicurio));
        assertEquals(record, apicurio.deserializer().deserialize(topic, byHttp));
    }

    /**
     * {@code model-control/bin/model-control}, as a user runs it (a child process with the build's class archive):
     * {@code status} reads what both instances wrote with Apicurio's serializer; nothing on stderr.
     */
    private static void theLauncherRunsACommand(LocalStack stack) throws Exception {
        final Path launcher = Path.of("..", "model-control", "bin", "model-control").toAbsolutePath().normalize();
        final List<String> command = new java.util.ArrayList<>(List.of(launcher.toString(), "status",
                "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl()));
        if (stack.secured()) {
            command.addAll(List.of("--command-config",
                    stack.clientConfigFile(dev.fraudscorer.topics.Access.Role.OPERATOR).toString()));
        }
        final Path out = Files.createTempFile(Path.of("target"), "launcher-", ".out");
        final Path err = Files.createTempFile(Path.of("target"), "launcher-", ".err");
        final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the command ends");
        final String printed = Files.readString(out);
        System.out.print(printed);
        assertEquals(0, p.exitValue(), Files.readString(err));
        assertEquals("", Files.readString(err), "nothing on stderr");
        assertTrue(printed.contains("instances reporting (2)"), printed);
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> void produce(LocalStack stack, String topic,
                                                                                  String key, V value) throws Exception {
        // As an operator: the principal allowed to write these topics (tampering past the ACLs, which signatures stop).
        final java.util.Properties props = ScorerCluster.client(stack, dev.fraudscorer.topics.Access.Role.OPERATOR);
        props.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MODEL_RECORD_BYTES);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, V>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                dev.fraudscorer.topics.AvroSerdes.<V>values(stack.registryUrl()).serializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static void awaitVersionOnEveryPartition(ScorerCluster cluster, String prefix, int version) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (cluster.verdicts.stream().filter(v -> v.transactionId().startsWith(prefix) && v.version() == version)
                .map(ScorerCluster.Seen::partition).distinct().count() < 6) {
            assertTrue(System.nanoTime() < deadline, "verdicts of version " + version + " on all partitions");
            Thread.sleep(100);
        }
    }

    private static void awaitServing(ScorerCluster cluster, java.util.function.Predicate<Serving> condition)
            throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cluster.instances.stream().allMatch(i -> i.cache().lastServing("fraud").filter(condition).isPresent())) {
            assertTrue(System.nanoTime() < deadline, "control record applied by every instance");
            Thread.sleep(50);
        }
    }

    private static long endOffset(LocalStack stack, String topic) throws Exception {
        final TopicPartition tp = new TopicPartition(topic, 0);
        return stack.admin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    private static void ok(ScorerCluster.CliResult result) {
        assertEquals(0, result.code(), result.err());
    }
}
