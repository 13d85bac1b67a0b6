package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not part of the default suite (its name matches neither *Test nor *IT). Run with
 * {@code mvn -pl scorer-app test -Dtest=RollbackBenchmark [-Drollbacks=20] [-Dswaps=200]}.
 *
 * <p>Two scorer instances on six partitions under steady load. Each rollback is one control record produced the way
 * the CLI produces it; convergence is from that record's issuedAt (stamped just before the send) to the moment the
 * last of the two instances scores its first verdict with the target version. Then a soak of swaps reports the
 * process's resident memory before and after.
 */
class RollbackBenchmark {

    @Test
    void rollbackConvergenceAndSwapSoak() throws Exception {
        final int rollbacks = Integer.getInteger("rollbacks", 20);
        final int swaps = Integer.getInteger("swaps", 200);
        final Path dir = Files.createTempDirectory(Path.of("target"), "rollback-bench-");
        try (LocalStack stack = LocalStack.start(LocalStack.Options.freePorts(dir))) {
            final Path key = TestKeys.writeTrainer(dir.resolve("keys"));
            final Path v2 = ScorerCluster.variant(ScorerTopologyTest.GOLDEN, dir.resolve("v2"), "v2");
            // -Dsigned=true: every control record signed by an operator key the scorers require (as the demo runs).
            final boolean signed = Boolean.getBoolean("signed");
            final java.security.KeyPair operator = dev.fraudscorer.bundle.BundleSigning.generate();
            dev.fraudscorer.bundle.BundleSigning.write(operator, dir.resolve("keys/operator"));
            signer = signed ? operator : null;
            System.out.println("control records " + (signed ? "signed, scorers require model.control.trusted.keys"
                    : "unsigned, scorers do not authenticate them"));
            try (ScorerCluster cluster = ScorerCluster.start(stack, dir, dir.resolve("keys/trainer.pub"), 2,
                    signed ? Map.of(ScorerConfig.CONTROL_TRUSTED_KEYS, dir.resolve("keys/operator.pub").toString())
                            : Map.of());
                 KafkaProducer<String, ModelControl> control = controlProducer(stack)) {
                assertEquals(0, cluster.cli("publish", ScorerTopologyTest.GOLDEN.toString(), "--signing-key", key.toString()).code());
                assertEquals(0, cluster.cli("publish", v2.toString(), "--signing-key", key.toString()).code());
                long generation = 1;
                send(control, 1, null, generation);
                cluster.awaitRunning(Duration.ofSeconds(90));
                final ScorerCluster.Load load = cluster.load(1000, "b-", n -> "c-" + (n % 5000));
                // Steady state first: every instance scoring the load as it arrives (a fixed 3 s sleep measured the
                // first rollback against instances still starting, 3-8 s; that is start-up, not convergence).
                final long warm = awaitAllInstances(cluster, 1, System.currentTimeMillis());
                System.out.printf("every instance scoring the load %d ms after it started%n", warm);
                Thread.sleep(2_000);

                final List<Long> convergence = new ArrayList<>();
                int active = 1;
                for (int i = 0; i < rollbacks; i++) {
                    final int target = 3 - active;
                    final long issuedAt = send(control, target, active, ++generation);
                    convergence.add(awaitAllInstances(cluster, target, issuedAt));
                    active = target;
                    Thread.sleep(500);
                }
                final long[] sorted = convergence.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("rollbacks: %d, convergence (control record produced -> last instance emitting"
                                + " the target version) p50 %d ms, p99 %d ms, max %d ms, all: %s%n", sorted.length,
                        percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1], convergence);

                final long rssBefore = rssKb();
                final long start = System.nanoTime();
                for (int i = 0; i < swaps; i++) {
                    final int target = 3 - active;
                    final long issuedAt = send(control, target, active, ++generation);
                    awaitAllInstances(cluster, target, issuedAt);
                    active = target;
                }
                System.gc();
                Thread.sleep(1_000);
                final long rssAfter = rssKb();
                load.close();
                System.out.printf("soak: %d swaps in %.1f s under load, %,d transactions sent; RSS before %,d kB,"
                                + " after %,d kB (%+.1f%%)%n", swaps, (System.nanoTime() - start) / 1e9, load.sent.get(),
                        rssBefore, rssAfter, 100.0 * (rssAfter - rssBefore) / rssBefore);
            }
        }
    }

    private static long awaitAllInstances(ScorerCluster cluster, int version, long issuedAt) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            long latest = -1;
            int switched = 0;
            for (var entry : cluster.partitions().entrySet()) {
                final long first = cluster.verdicts.stream()
                        .filter(v -> entry.getValue().contains(v.partition()) && v.version() == version
                                && v.scoredAtMs() >= issuedAt)
                        .mapToLong(ScorerCluster.Seen::scoredAtMs).min().orElse(-1);
                if (first >= 0) {
                    switched++;
                    latest = Math.max(latest, first);
                }
            }
            if (switched == cluster.instances.size()) {
                return latest - issuedAt;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("instances did not converge on version " + version + " within 30 s");
    }

    private static java.security.KeyPair signer;

    /** Writes a control record as the CLI does: keyed by generation, signed (and timed with the signing) if asked. */
    private static long send(KafkaProducer<String, ModelControl> producer, int active, Integer previous,
                             long generation) throws Exception {
        final Instant issuedAt = Instant.now();
        ModelControl record = ModelControl.newBuilder()
                .setModelName("fraud").setActiveVersion(active).setPreviousVersion(previous).setGeneration(generation)
                .setIssuedBy("benchmark").setReason("rollback").setIssuedAt(issuedAt).build();
        if (signer != null) {
            record = dev.fraudscorer.topics.ControlRecords.sign(record, signer.getPrivate(),
                    dev.fraudscorer.bundle.BundleSigning.keyId(signer.getPublic()));
        }
        producer.send(new ProducerRecord<>(Topics.MODEL_CONTROL.name(),
                dev.fraudscorer.topics.ControlKeys.of("fraud", generation), record)).get();
        return issuedAt.toEpochMilli();
    }

    private static KafkaProducer<String, ModelControl> controlProducer(LocalStack stack) {
        // The operator's principal on the authenticated stack (SASL/SCRAM, ACLs), as the CLI writes control records.
        final Properties props = ScorerCluster.client(stack, dev.fraudscorer.topics.Access.Role.OPERATOR);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.<ModelControl>values(stack.registryUrl()).serializer());
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static long rssKb() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
    }
}
