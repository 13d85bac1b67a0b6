package dev.fraudscorer.scorer;

import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.data.DefaultDataset;
import dev.fraudscorer.features.OfflineFeatures;
import dev.fraudscorer.topics.Topics;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the benchmarks share: the dataset's replay rows, reading a backlog to its end and timing it, and a fresh
 * terminal history.
 */
public final class BenchSupport {

    private BenchSupport() {
    }

    /** Rows of the dataset in event-time order, from its 2018-04-01 on, as many as asked. */
    public static List<DatasetRow> replayRows(int count) throws Exception {
        final long from = Instant.parse("2018-04-01T00:00:00Z").toEpochMilli();
        final List<DatasetRow> all = new ArrayList<>();
        DatasetReader.read(DefaultDataset.require(), row -> {
            if (row.eventTimeMs() >= from) {
                all.add(row);
            }
        });
        all.sort(OfflineFeatures.ENGINE_ORDER);
        if (all.size() < count) {
            throw new IllegalArgumentException("the dataset has " + all.size() + " rows from 2018-04-01, asked " + count);
        }
        return new ArrayList<>(all.subList(0, count));
    }

    /**
     * The outcome of one run over the backlog.
     *
     * @param secondHalfRecordsPerSecond the rate over the backlog's second half, with most of the JIT's work behind it
     */
    record Run(double recordsPerSecond, long records, double seconds, double secondHalfRecordsPerSecond) {
    }

    /**
     * Starts {@code create}'s application on the {@code transactions} backlog and waits until its group has
     * committed the end of every partition. Throughput counts from the moment a stream thread first holds an active
     * task or the client is RUNNING, whichever comes first (start-up and the first assignment are left out; later
     * rebalances and the JIT warm-up count, as they would for a real instance), to the commit of the end. Counting
     * from the first committed offset overstated fast variants many times (their first commit already covered most
     * of the backlog), and from RUNNING alone too: with two threads one can finish while the other still joins.
     * {@code whileRunning} sees the client before it closes.
     */
    static Run runToEnd(Admin admin, String applicationId, Properties props, Function<Properties, KafkaStreams> create,
                        java.util.function.Consumer<KafkaStreams> whileRunning) throws Exception {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < Topics.TRANSACTIONS.partitions(); p++) {
            partitions.add(new TopicPartition(Topics.TRANSACTIONS.name(), p));
        }
        final long end = admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp,
                tp -> OffsetSpec.latest()))).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        try (KafkaStreams streams = create.apply(props)) {
            final java.util.concurrent.atomic.AtomicLong runningAt = new java.util.concurrent.atomic.AtomicLong();
            long halfAt = 0;
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    runningAt.compareAndSet(0, System.nanoTime());
                }
            });
            streams.start();
            final long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (System.nanoTime() < deadline) {
                final long committed = admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get()
                        .entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.TRANSACTIONS.name()))
                        .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
                final long now = System.nanoTime();
                if (runningAt.get() == 0 && streams.metadataForLocalThreads().stream()
                        .anyMatch(t -> !t.activeTasks().isEmpty())) {
                    runningAt.compareAndSet(0, now);
                }
                if (halfAt == 0 && committed >= end / 2 && runningAt.get() != 0) {
                    halfAt = now;
                }
                if (committed >= end && runningAt.get() != 0) {
                    whileRunning.accept(streams);
                    final double seconds = (now - runningAt.get()) / 1e9;
                    return new Run(end / seconds, end, seconds, (end - end / 2) / Math.max(1e-9, (now - halfAt) / 1e9));
                }
                Thread.sleep(20);
            }
            throw new AssertionError(applicationId + " did not finish the backlog in 20 minutes");
        }
    }

    /** Deletes and recreates terminal history, so a scorer run starts from none, as a fresh scorer does. */
    static void resetTerminalHistory(Admin admin) throws Exception {
        final String topic = Topics.TERMINAL_EVENTS.name();
        admin.deleteTopics(List.of(topic)).all().get();
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Topics.TERMINAL_EVENTS.partitions(), (short) 1)
                        .configs(Topics.TERMINAL_EVENTS.configs()))).all().get();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Per topic: records (sum of end offsets, transaction markers included) and bytes in its log segments. */
    static Map<String, long[]> topicWrites(Admin admin) throws Exception {
        final Map<String, long[]> out = new java.util.TreeMap<>();
        final var brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
        final Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
        admin.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values().forEach(dir ->
                dir.replicaInfos().forEach((tp, replica) -> {
                    out.computeIfAbsent(tp.topic(), t -> new long[2])[1] += replica.size();
                    ends.put(tp, OffsetSpec.latest());
                })));
        admin.listOffsets(ends).all().get().forEach((tp, info) -> out.get(tp.topic())[0] += info.offset());
        return out;
    }

    /** What grew between two {@link #topicWrites} readings, per input record, largest first. */
    static String writtenSince(Map<String, long[]> before, Map<String, long[]> after, long inputs) {
        return after.entrySet().stream()
                .map(e -> {
                    final long[] b = before.getOrDefault(e.getKey(), new long[2]);
                    return Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
                })
                .filter(e -> e.getValue()[0] > 0)
                .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
                .map(e -> String.format("%s %.2f rec %.0f B", e.getKey(), (double) e.getValue()[0] / inputs,
                        (double) e.getValue()[1] / inputs))
                .collect(Collectors.joining(", "));
    }

    /**
     * CPU time so far of process {@code pid}'s JIT compiler threads and its garbage collector's, from /proc (Linux
     * only; empty elsewhere). On two cores the JIT of a fresh JVM competes with the work it compiles.
     */
    static Map<String, Long> jitAndGcNanos(long pid) {
        final Map<String, Long> out = new java.util.TreeMap<>();
        final java.io.File[] tasks = new java.io.File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            return out;
        }
        for (java.io.File task : tasks) {
            try {
                final String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
                final String kind = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "JIT"
                        : name.startsWith("GC Thread") || name.startsWith("G1 ") ? "GC" : null;
                if (kind == null) {
                    continue;
                }
                final String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // utime and stime, fields 14 and 15 of stat, in clock ticks of (nearly always) 10 ms
                out.merge(kind, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L, Long::sum);
            } catch (java.io.IOException | RuntimeException e) {
                // a thread that ended while being read
            }
        }
        return out;
    }

    /** Collections and their accumulated time (ms) per collector of this JVM. */
    static Map<String, long[]> gcNow() {
        final Map<String, long[]> out = new java.util.LinkedHashMap<>();
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            out.put(gc.getName(), new long[] {gc.getCollectionCount(), gc.getCollectionTime()});
        }
        return out;
    }

    /** Per collector since {@code before}: how many collections, their total and mean time. */
    static String gcSince(Map<String, long[]> before) {
        final StringBuilder out = new StringBuilder();
        gcNow().forEach((name, now) -> {
            final long[] then = before.getOrDefault(name, new long[2]);
            final long count = now[0] - then[0];
            if (count > 0) {
                out.append(out.isEmpty() ? "" : ", ").append(String.format("%s %d in %d ms", name, count, now[1] - then[1]));
            }
        });
        return out.isEmpty() ? "none" : out.toString();
    }
}
