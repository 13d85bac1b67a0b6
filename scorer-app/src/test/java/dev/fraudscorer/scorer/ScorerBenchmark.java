package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.infra.ReplayRecords;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.score.Tracing;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The scorer beside its own platform's ceiling, on the real replay. A benchmark, not in the suite (its name matches
 * neither *Test nor *IT); it prints, it asserts nothing about speed. From a fresh clone:
 * {@code mvn -B -pl scorer-app -am test -Dtest=ScorerBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * [{@code -Drecords=400000 -Drate=5000 -Dlatency.seconds=20 -Dlatency.settle.ms=2000
 * -Dbundle=<demo data dir>/models/fraud-1}].
 *
 * <p>One KRaft broker, the catalogue's partitions. The backlog is {@code records} real transactions in event-time
 * order (real customers and terminals), with each fraud's label sent a day of event time after it. Every variant is
 * a fresh application (own group, own state) reading that backlog from the start, with the scorer's own Streams
 * settings: {@code pass-through} (bytes in, bytes out), {@code one-store ceiling} (plus one persistent, cached,
 * changelogged key-value store {@code get} + {@code put} per record, keyed by customer as the scorer's customer
 * store is), and {@code scorer} (everything on, tracing at its default sampling), under exactly_once_v2 and
 * at_least_once, with 1 and 2 stream threads. The at_least_once scorer runs first, so the JIT warm-up of this JVM
 * falls on it and not on the reference row. Each run prints its threads' CPU per record and how busy the machine was
 * (broker and registry included). Then a separate exactly_once, one-thread scorer run under JFR for the cost table
 * (with {@code -Dperf=true} also under Linux perf, for a table with native code: {@link PerfProfile}), and latency at
 * a paced {@code rate}: producer timestamp to the output read by a read_committed consumer, the
 * scorer both as a new application and restarted over its own state (RESULT's p99 is the restarted one's).
 */
class ScorerBenchmark {

    private static final long LABEL_DELAY_MS = Duration.ofDays(1).toMillis();
    /** The meters of the scorer variant started last, to say what its records waited for. */
    private static final java.util.concurrent.atomic.AtomicReference<PrometheusMeterRegistry> LAST_SCORER_METERS =
            new java.util.concurrent.atomic.AtomicReference<>();
    private static final String PASS_OUT = "bench-passthrough";
    private static final String CEILING_OUT = "bench-ceiling";

    private record Row(String name, String guarantee, int threads, double rps) {
    }

    @Test
    void scorerBesideItsCeilingOnTheRealReplay() throws Exception {
        final int records = Integer.getInteger("records", 400_000);
        final int rate = Integer.getInteger("rate", 5_000);
        final int latencySeconds = Integer.getInteger("latency.seconds", 20);
        final Path bundle = Path.of(System.getProperty("bundle", ScorerTopologyTest.GOLDEN.toString()));
        final List<DatasetRow> rows = BenchSupport.replayRows(records + rate * latencySeconds);
        final Path dir = Files.createTempDirectory(Path.of("target"), "scorer-bench-");
        try (LocalStack stack = LocalStack.start(
                // Unauthenticated: variants with other application ids than the scorer's grants; SASL costs per
                // connection, not per record.
                LocalStack.Options.freePorts(dir).withAuthentication(false)); Admin admin = stack.admin()) {
            final Path key = TestKeys.writeTrainer(dir.resolve("keys"));
            final ScorerCluster.CliResult published = ScorerCluster.cli(stack, "publish", bundle.toString(),
                    "--signing-key", key.toString());
            assertEquals(0, published.code(), published.err());
            assertEquals(0, ScorerCluster.cli(stack, "promote", "1").code());
            admin.createTopics(List.of(new NewTopic(PASS_OUT, Topics.TRANSACTIONS.partitions(), (short) 1),
                    new NewTopic(CEILING_OUT, Topics.TRANSACTIONS.partitions(), (short) 1))).all().get();
            final long sendStart = System.nanoTime();
            final int labels = send(stack, rows.subList(0, records), 0);
            System.out.printf("%nbacklog: %,d real transactions (%s .. %s), %,d fraud labels a day behind, %s;"
                            + " sent in %.1f s%n", records, Instant.ofEpochMilli(rows.get(0).eventTimeMs()),
                    Instant.ofEpochMilli(rows.get(records - 1).eventTimeMs()), labels, bundle,
                    (System.nanoTime() - sendStart) / 1e9);

            final Path jfr = dir.resolve("scorer.jfr");
            final Map<String, Object> memory = new LinkedHashMap<>();
            // -Dvariants=eos1,alos2 runs only those (the full table is the default).
            final List<String> variants = List.of(System.getProperty("variants", "alos1,alos2,eos1,eos2").split(","));
            // Every row is measured on JVMs (this one and the broker's) that have already run all three topologies
            // under both guarantees: otherwise a row's rate depends on what ran before it (the first scorer run of a
            // JVM spends ~40% of the machine's CPU in the two JIT compilers, README, Performance). The warm-up pass is
            // printed too: its first rows are what a freshly started process does.
            final List<String> warmup = List.of(System.getProperty("warmup", "alos1,eos1").split(",")).stream()
                    .filter(t -> !t.isBlank()).toList();
            final boolean profile = Boolean.parseBoolean(System.getProperty("profile", "true"));
            // The first JFR recording of a JVM made the profiled run recompile: its JIT threads took 44.5-44.7 us per
            // record against 1-3 without a recording (two runs). A recording during the warm-up pays that there.
            final List<Row> cold;
            try (Recording first = profile ? new Recording(jdk.jfr.Configuration.getConfiguration("profile")) : null) {
                if (first != null) {
                    first.start();
                }
                cold = runVariants(admin, stack, dir, "warm-", warmup, rows.subList(0, records), null);
            }
            final List<Row> table = runVariants(admin, stack, dir, "bench-", variants, rows.subList(0, records), memory);
            if (!cold.isEmpty()) {
                System.out.printf("%nThe warm-up pass (-Dwarmup=%s, the first runs of this JVM and of the broker; its first"
                        + " rows are what a freshly started process does%s):", String.join(",", warmup),
                        profile ? "; under a JFR recording, see above" : "");
                printThroughput(records, cold);
            }
            printThroughput(records, table);
            if (profile) {
                // Profiled apart from the table: JFR's own cost would otherwise lower the reference row.
                BenchSupport.resetTerminalHistory(admin);
                // -Dperf=true: perf records the same run, native code included (needs -XX:+PreserveFramePointer).
                final PerfProfile perf = Boolean.getBoolean("perf") ? PerfProfile.startIfAvailable(dir) : null;
                throughput(admin, stack, dir, "bench-profiled-eos1", StreamsConfig.EXACTLY_ONCE_V2, 1,
                        props -> scorer(stack, dir, props), jfr, perf);
                System.out.printf("%nWhere the scorer's stream thread spends its CPU (JFR execution samples of a separate"
                        + " exactly_once_v2, one-thread run; shares are the measure: JFR samples Java frames only, and not"
                        + " every running thread every 10 ms, so its us/record undercounts the thread CPU printed above):%n");
                final Map<String, Integer> javaSamples = CostTable.print(jfr, "bench-profiled-eos1", records);
                if (perf != null) {
                    perf.stopAndPrint(records, javaSamples);
                }
            }
            if (latencySeconds == 0 || !variants.contains("eos1")) {
                System.out.printf("%nno latency runs and no RESULT line (-Dlatency.seconds=0 or eos1 not among -Dvariants)%n");
                return;
            }

            final Map<String, Histogram> latency = new LinkedHashMap<>();
            int offset = records;
            for (String guarantee : List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE)) {
                final String tag = guarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? "at_least_once" : "exactly_once_v2";
                final List<DatasetRow> paced = rows.subList(offset, offset + rate * latencySeconds / 2);
                offset += paced.size();
                latency.put("pass-through " + tag, latency(admin, stack, dir, "lat-pass-" + tag, guarantee, paced, rate,
                        ScorerBenchmark::passThrough, PASS_OUT));
                BenchSupport.resetTerminalHistory(admin);
                latency.put("scorer " + tag, latency(admin, stack, dir, "lat-scorer-" + tag, guarantee, paced, rate,
                        props -> scorer(stack, dir, props), Topics.VERDICTS.name()));
                // The same application started again over its own state and topics (the paced rows once more; they
                // overwrite their own entries). A new scorer application's first second here is a few hundred ms
                // late whatever the settle time: its stream thread waits in the producer's flush for the broker to
                // acknowledge its first transactions. What it has and a restart lacks is internal topics created
                // seconds before; pass-through has none. So the restart is the like-for-like row, and the one RESULT
                // reports; the new one is printed above it (README, Performance, "fifth session").
                latency.put("scorer " + tag + ", restarted", latency(admin, stack, dir, "lat-scorer-" + tag, guarantee,
                        paced, rate, props -> scorer(stack, dir, props), Topics.VERDICTS.name()));
            }
            System.out.printf("%nLatency at a paced %,d transactions/s (%d s per variant, started at the end of the topic:"
                    + " a new application, and the scorer again as a restart over its own state and topics), producer"
                    + " timestamp -> output read read_committed:%n", rate, latencySeconds / 2);
            System.out.printf("  %-40s %9s %9s %9s %9s %8s%n", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "count");
            latency.forEach((name, h) -> System.out.printf("  %-40s %9.1f %9.1f %9.1f %9.1f %,8d%n", name,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount()));

            System.gc();
            memory.put("heap used after GC (this JVM: all variants, broker client, not the broker) MB",
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6);
            memory.put("RSS of this JVM MB", rssKb() / 1e3);
            System.out.printf("%nMemory and state:%n");
            memory.forEach((k, v) -> System.out.printf("  %-75s %,.1f%n", k, ((Number) v).doubleValue()));

            final Row scorer = find(table, "scorer", StreamsConfig.EXACTLY_ONCE_V2, 1);
            final Row pass = find(table, "pass-through", StreamsConfig.EXACTLY_ONCE_V2, 1);
            System.out.printf("%nRESULT scorer_vs_passthrough=%.3f scorer_rps=%.0f passthrough_rps=%.0f scorer_p99_ms=%.1f"
                            + " passthrough_p99_ms=%.1f%n", scorer.rps() / pass.rps(), scorer.rps(), pass.rps(),
                    latency.get("scorer exactly_once_v2, restarted").getValueAtPercentile(99) / 1000.0,
                    latency.get("pass-through exactly_once_v2").getValueAtPercentile(99) / 1000.0);
        }
    }

    private static Row find(List<Row> table, String name, String guarantee, int threads) {
        return table.stream().filter(r -> r.name().equals(name) && r.guarantee().equals(guarantee)
                && r.threads() == threads).findFirst().orElseThrow();
    }

    /** Pass-through, ceiling and scorer for each variant tag (alos1 ... eos2), each a fresh application. */
    private static List<Row> runVariants(Admin admin, LocalStack stack, Path dir, String prefix, List<String> variants,
                                         List<DatasetRow> backlog, Map<String, Object> memory) throws Exception {
        final List<Row> table = new ArrayList<>();
        for (String guarantee : List.of(StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2)) {
            for (int threads : List.of(1, 2)) {
                final String tag = (guarantee.equals(StreamsConfig.AT_LEAST_ONCE) ? "alos" : "eos") + threads;
                if (!variants.contains(tag)) {
                    continue;
                }
                table.add(new Row("pass-through", guarantee, threads, throughput(admin, stack, dir,
                        prefix + "pass-" + tag, guarantee, threads, ScorerBenchmark::passThrough, null, null)));
                table.add(new Row("one-store ceiling", guarantee, threads, throughput(admin, stack, dir,
                        prefix + "ceiling-" + tag, guarantee, threads, ScorerBenchmark::oneStore, null, null)));
                BenchSupport.resetTerminalHistory(admin);
                final String scorerId = prefix + "scorer-" + tag;
                table.add(new Row("scorer", guarantee, threads, throughput(admin, stack, dir, scorerId,
                        guarantee, threads, props -> scorer(stack, dir, props), null, null)));
                if (memory != null && guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) && threads == 1) {
                    memory.putAll(stateSizes(dir.resolve("state-" + scorerId).resolve(scorerId), backlog));
                }
            }
        }
        return table;
    }

    private static void printThroughput(int records, List<Row> table) {
        System.out.printf("%nThroughput over the %,d-transaction backlog (records/s of steady progress; ratio to"
                + " pass-through and to the one-store ceiling of the same guarantee and threads):%n", records);
        System.out.printf("  %-18s %-16s %7s %12s %14s %12s%n", "", "guarantee", "threads", "records/s",
                "x pass-through", "x ceiling");
        for (Row r : table) {
            final double pass = find(table, "pass-through", r.guarantee(), r.threads()).rps();
            final double ceiling = find(table, "one-store ceiling", r.guarantee(), r.threads()).rps();
            System.out.printf("  %-18s %-16s %7d %,12.0f %14.2f %12.2f%n", r.name(), r.guarantee(), r.threads(),
                    r.rps(), r.rps() / pass, r.rps() / ceiling);
        }
    }

    /** Sends transactions keyed by customer, each fraud's label a day later; paced when {@code rate > 0}. */
    private static int send(LocalStack stack, List<DatasetRow> rows, int rate) throws InterruptedException {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? 1 : 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        final Serializer<Transaction> tx = AvroSerdes.<Transaction>values(stack.registryUrl()).serializer();
        final Serializer<FraudLabel> label = AvroSerdes.<FraudLabel>values(stack.registryUrl()).serializer();
        int labels = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            final ReplayRecords.PendingLabels pending = new ReplayRecords.PendingLabels(LABEL_DELAY_MS);
            final long start = System.nanoTime();
            for (int i = 0; i < rows.size(); i++) {
                final DatasetRow row = rows.get(i);
                labels += pending.advance(row, l -> producer.send(new ProducerRecord<>(Topics.FRAUD_LABELS.name(),
                        l.getTerminalId(), label.serialize(Topics.FRAUD_LABELS.name(), l))));
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), row.customerId(),
                        tx.serialize(Topics.TRANSACTIONS.name(), ReplayRecords.transaction(row))));
                if (rate > 0) {
                    final long wait = start + (i + 1L) * 1_000_000_000L / rate - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            }
        }
        return labels;
    }

    /** The scorer's Streams settings for every variant; only guarantee, threads and where to start differ. */
    private static Properties props(LocalStack stack, Path dir, String applicationId, String guarantee, int threads,
                                    String reset) {
        final Properties props = new Properties();
        props.putAll(config(stack, dir, applicationId, guarantee, threads, reset).streamsProperties());
        return props;
    }

    private static ScorerConfig config(LocalStack stack, Path dir, String applicationId, String guarantee, int threads,
                                       String reset) {
        final Map<String, String> settings = new LinkedHashMap<>(Map.of(ScorerConfig.BOOTSTRAP_SERVERS,
                stack.bootstrapServers(), ScorerConfig.REGISTRY_URL, stack.registryUrl(),
                ScorerConfig.APPLICATION_ID, applicationId,
                ScorerConfig.TRUSTED_KEYS, dir.resolve("keys/trainer.pub").toString(),
                ScorerConfig.STATE_DIR, dir.resolve("state-" + applicationId).toString(),
                ScorerConfig.PROCESSING_GUARANTEE, guarantee,
                ScorerConfig.STREAMS_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads),
                ScorerConfig.STREAMS_PREFIX + StreamsConfig.CONSUMER_PREFIX + "auto.offset.reset", reset));
        // -Dsettings=k=v;k=v: scorer settings for every variant (all share the scorer's Streams settings), to try one.
        for (String kv : System.getProperty("settings", "").split(";")) {
            if (!kv.isBlank()) {
                settings.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        return new ScorerConfig(settings);
    }

    private static double throughput(Admin admin, LocalStack stack, Path dir, String applicationId, String guarantee,
                                     int threads, Function<Properties, KafkaStreams> create, Path jfr,
                                     PerfProfile perf) throws Exception {
        final Recording recording = jfr == null ? null : new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        if (recording != null) {
            recording.start();
        }
        try {
            final long[] machineBefore = machineTicks();
            final java.time.Duration[] childBefore = stack.childCpu();
            final Map<String, long[]> writtenBefore = BenchSupport.topicWrites(admin);
            final Map<String, Long> ownBefore = BenchSupport.jitAndGcNanos(ProcessHandle.current().pid());
            final Map<String, Long> brokerBefore = BenchSupport.jitAndGcNanos(stack.brokerPid(0));
            final Map<String, Long> threadCpu = new LinkedHashMap<>();
            final StringBuilder requests = new StringBuilder();
            final StringBuilder loop = new StringBuilder();
            final Map<String, Long> allocated = new java.util.TreeMap<>();
            final BenchSupport.Run run = BenchSupport.runToEnd(admin, applicationId,
                    props(stack, dir, applicationId, guarantee, threads, "earliest"), create,
                    streams -> {
                        if (perf != null) {
                            perf.noteStreamThreads(applicationId);
                        }
                        threadCpu.putAll(threadCpuNanos(applicationId));
                        allocated.putAll(threadAllocatedBytes(applicationId));
                        requests.append(clientRequests(streams, applicationId));
                        loop.append(loopMetrics(streams));
                    });
            final long[] machineAfter = machineTicks();
            final java.time.Duration[] childAfter = stack.childCpu();
            threadCpu.put("broker process", childAfter[0].minus(childBefore[0]).toNanos());
            threadCpu.put("registry process", childAfter[1].minus(childBefore[1]).toNanos());
            BenchSupport.jitAndGcNanos(ProcessHandle.current().pid()).forEach((kind, nanos) ->
                    threadCpu.put(kind + " of this JVM", nanos - ownBefore.getOrDefault(kind, 0L)));
            BenchSupport.jitAndGcNanos(stack.brokerPid(0)).forEach((kind, nanos) ->
                    threadCpu.put(kind + " of the broker (in its process)", nanos - brokerBefore.getOrDefault(kind, 0L)));
            final String written = BenchSupport.writtenSince(writtenBefore, BenchSupport.topicWrites(admin), run.records());
            final double busy = 100.0 * (machineAfter[0] - machineBefore[0]) / Math.max(1, machineAfter[1] - machineBefore[1]);
            System.out.printf("  %-24s %,9.0f records/s (%,d records in %.1f s; second half %,.0f/s); machine CPU busy %.0f%%; CPU"
                            + " us/record %s%s%n", applicationId, run.recordsPerSecond(), run.records(), run.seconds(),
                    run.secondHalfRecordsPerSecond(), busy,
                    threadCpu.entrySet().stream().map(e -> String.format("%s %.1f", e.getKey(), e.getValue() / 1e3
                            / run.records())).toList(), scorerMeters());
            System.out.printf("    written to the broker per input record (records, bytes on disk): %s%n", written);
            System.out.printf("    heap allocated per input record by the application's threads, bytes: %s%n",
                    allocated.entrySet().stream().map(e -> String.format("%s %,.0f", e.getKey(),
                            (double) e.getValue() / run.records())).toList());
            System.out.printf("    requests to the broker over the run, by client: %s%n", requests);
            System.out.printf("    stream threads' loop (Streams' own metrics; ratios are shares of the thread's wall time): %s%n",
                    loop);
            return run.recordsPerSecond();
        } finally {
            if (recording != null) {
                recording.stop();
                recording.dump(jfr);
                recording.close();
            }
        }
    }

    private static Histogram latency(Admin admin, LocalStack stack, Path dir, String applicationId, String guarantee,
                                     List<DatasetRow> paced, int rate, Function<Properties, KafkaStreams> create,
                                     String outputTopic) throws Exception {
        final Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        final Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaStreams streams = create.apply(props(stack, dir, applicationId, guarantee, 1, "latest"));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = consumer.partitionsFor(outputTopic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            streams.start();
            final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING || !assigned(streams)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(applicationId + " not RUNNING in 90 s");
                }
                Thread.sleep(100);
            }
            Thread.sleep(Long.getLong("latency.settle.ms", 2_000));
            final Map<String, long[]> gcBefore = BenchSupport.gcNow();
            final AtomicBoolean sending = new AtomicBoolean(true);
            final AtomicLong received = new AtomicLong();
            final Thread sender = new Thread(() -> {
                try {
                    send(stack, paced, rate);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    sending.set(false);
                }
            }, "paced-sender");
            sender.start();
            final long until = System.nanoTime() + Duration.ofSeconds(paced.size() / rate + 60).toNanos();
            // Per second of reading, the slowest output: where in the run the tail is (a start, or periodic).
            final long firstRead = System.nanoTime();
            final Map<Long, Long> worstPerSecond = new java.util.TreeMap<>();
            // A verdict carries the time it was scored: its latency splits into before (the input's produce, fetch
            // and wait in the task) and after (the verdict's produce, the commit, the read), same clock.
            final org.apache.kafka.common.serialization.Deserializer<dev.fraudscorer.schema.Verdict> verdict =
                    outputTopic.equals(Topics.VERDICTS.name())
                            ? AvroSerdes.<dev.fraudscorer.schema.Verdict>values(stack.registryUrl()).deserializer() : null;
            final Map<Long, long[]> worstSplitPerSecond = new java.util.TreeMap<>();
            while (received.get() < paced.size() && System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    final long now = System.currentTimeMillis();
                    final long ms = Math.max(0, now - r.timestamp());
                    histogram.recordValue(ms * 1000);
                    final long second = (System.nanoTime() - firstRead) / 1_000_000_000L;
                    worstPerSecond.merge(second, ms, Math::max);
                    if (verdict != null) {
                        final long scoredAt = verdict.deserialize(r.topic(), r.headers(), r.value()).getScoredAt()
                                .toEpochMilli();
                        final long[] worst = worstSplitPerSecond.computeIfAbsent(second, k -> new long[2]);
                        worst[0] = Math.max(worst[0], scoredAt - r.timestamp());
                        worst[1] = Math.max(worst[1], now - scoredAt);
                    }
                    received.incrementAndGet();
                }
            }
            sender.join();
            if (verdict != null) {
                verdict.close();
            }
            System.out.printf("  %-24s %,d of %,d outputs read%s%n    slowest output per second of the run, ms: %s%n"
                            + "%s    stream threads' loop (ms; Streams' own metrics): %s; GC of this JVM: %s%n",
                    applicationId, received.get(), paced.size(), scorerMeters(), worstPerSecond.values(),
                    verdict != null ? String.format("    of which per second, the slowest before scoring (produced -> scoredAt)"
                            + " and after (scoredAt -> read): %s%n", worstSplitPerSecond.values().stream()
                            .map(w -> w[0] + "/" + w[1]).toList()) : "",
                    loopMetrics(streams), BenchSupport.gcSince(gcBefore));
        }
        return histogram;
    }

    /**
     * The stream threads' task loop as Streams meters it: where a late commit would show (a long commit, punctuation
     * or poll holds every record of the interval), and which share of the thread's time each step takes.
     */
    private static String loopMetrics(KafkaStreams streams) {
        final Map<String, Double> out = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && metric.metricValue() instanceof Double v
                    && List.of("commit-latency-avg", "commit-latency-max", "commit-total", "punctuate-latency-max",
                    "poll-latency-max", "process-latency-max", "process-ratio", "poll-ratio", "commit-ratio",
                    "punctuate-ratio").contains(name.name())) {
                out.merge(name.name(), v, Math::max);
            }
            // A produce refused and retried (e.g. CONCURRENT_TRANSACTIONS while the last commit's markers are
            // written) holds the next commit's flush for its backoff.
            if (name.group().equals("producer-metrics") && name.name().equals("record-retry-total")
                    && metric.metricValue() instanceof Double v) {
                out.merge("producer record-retry-total", v, Double::sum);
            }
        });
        return out.entrySet().stream().map(e -> String.format("%s %.2f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * CPU time so far of the application's threads by role (StreamThread-n, its producer's I/O thread
     * StreamThread-n-producer, GlobalStreamThread, other), Java and native alike, unlike JFR's samples.
     */
    private static Map<String, Long> threadCpuNanos(String applicationId) {
        return perThreadRole(applicationId, ManagementFactory.getThreadMXBean()::getThreadCpuTime);
    }

    /** Bytes each role's threads allocated on the heap over their life: what the young collections clear. */
    private static Map<String, Long> threadAllocatedBytes(String applicationId) {
        final var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return perThreadRole(applicationId, mx::getThreadAllocatedBytes);
    }

    private static Map<String, Long> perThreadRole(String applicationId, java.util.function.LongUnaryOperator ofThread) {
        final Map<String, Long> out = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.getName().contains(applicationId)) {
                continue;
            }
            final String role = t.getName().replaceAll(".*-(StreamThread-\\d+|GlobalStreamThread)(-producer)?$", "$1$2")
                    .replaceAll("^.*" + applicationId + ".*$", "other");
            final long value = ofThread.applyAsLong(t.getId());
            if (value > 0) {
                out.merge(role, value, Long::sum);
            }
        }
        return out;
    }

    /** Requests each of the application's clients sent (produce and fetch alike), and the producers' batching. */
    private static String clientRequests(KafkaStreams streams, String applicationId) {
        final Map<String, Double> out = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            final String client = name.tags().getOrDefault("client-id", "");
            final boolean wanted = (name.name().equals("request-total") && name.group().endsWith("-metrics")
                    && !name.group().startsWith("admin")) || (name.group().equals("producer-metrics")
                    && (name.name().equals("batch-size-avg") || name.name().equals("records-per-request-avg")));
            if (wanted && !client.isEmpty() && metric.metricValue() instanceof Double v) {
                out.merge(client.replace(applicationId, "").replaceAll("-[0-9a-f]{8}-[0-9a-f-]{27}", "")
                        + " " + name.name(), v, Double::sum);
            }
        });
        return out.entrySet().stream().map(e -> String.format("%s %.0f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Busy and total jiffies of the whole machine (broker and registry included), from /proc/stat. */
    private static long[] machineTicks() throws Exception {
        final String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        final long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    /** For a scorer run: its own scoring time and what its records waited for terminal history. */
    private static String scorerMeters() {
        final PrometheusMeterRegistry registry = LAST_SCORER_METERS.getAndSet(null);
        if (registry == null) {
            return "";
        }
        final var scoring = registry.find("fraud_scoring_time").timer();
        return String.format("; scoring (features, model, reason codes) %.1f us/record mean; terminal-history waits %s",
                scoring == null ? Double.NaN : scoring.mean(TimeUnit.MICROSECONDS),
                registry.find("fraud_terminal_history_wait").timers().stream().map(t -> String.format("%s %d (%.1f s)",
                        t.getId().getTag("outcome"), t.count(), t.totalTime(TimeUnit.SECONDS))).toList());
    }

    private static boolean assigned(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum() > 0;
    }

    private static KafkaStreams passThrough(Properties props) {
        final StreamsBuilder b = new StreamsBuilder();
        b.stream(Topics.TRANSACTIONS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("in"))
                .to(PASS_OUT, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("out"));
        return new KafkaStreams(b.build(), props);
    }

    /** Pass-through plus one get + put per record in a persistent, cached, changelogged store. */
    private static KafkaStreams oneStore(Properties props) {
        final StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("ceiling-store"), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingEnabled().withLoggingEnabled(StoreChangelogs.configs()));
        b.stream(Topics.TRANSACTIONS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("in"))
                .processValues(() -> new FixedKeyProcessor<byte[], byte[], byte[]>() {
                    private FixedKeyProcessorContext<byte[], byte[]> context;
                    private KeyValueStore<Bytes, byte[]> store;

                    @Override
                    public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
                        this.context = context;
                        store = context.getStateStore("ceiling-store");
                    }

                    @Override
                    public void process(FixedKeyRecord<byte[], byte[]> record) {
                        final Bytes key = Bytes.wrap(record.key());
                        final byte[] previous = store.get(key);
                        store.put(key, previous == null || previous.length < record.value().length
                                ? record.value() : previous);
                        context.forward(record);
                    }
                }, Named.as("get-put"), "ceiling-store")
                .to(CEILING_OUT, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("out"));
        return new KafkaStreams(b.build(), props);
    }

    private static KafkaStreams scorer(LocalStack stack, Path dir, Properties props) {
        final ScorerConfig config = config(stack, dir, props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                Integer.parseInt(String.valueOf(props.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))),
                props.getProperty(StreamsConfig.CONSUMER_PREFIX + "auto.offset.reset"));
        final ModelCache cache = new ModelCache(config.trustedKeys(), config.featureCapabilities(), (k, r) -> { });
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LAST_SCORER_METERS.set(registry);
        final ScorerMetrics metrics = new ScorerMetrics(registry, Clock.systemUTC());
        final Tracing tracing = Tracing.exportingTo(new CollectingSpanExporter(false),
                config.getDouble(ScorerConfig.TRACE_SAMPLE_RATIO));
        return ScorerMain.createStreams(config, cache, metrics, tracing);
    }

    /** On-disk RocksDB bytes of the customer and terminal stores, per entity in the backlog. */
    private static Map<String, Object> stateSizes(Path appState, List<DatasetRow> rows) throws Exception {
        final Set<String> customers = new HashSet<>();
        final Set<String> terminals = new HashSet<>();
        rows.forEach(r -> {
            customers.add(r.customerId());
            terminals.add(r.terminalId());
        });
        final long customerBytes = bytesUnder(appState, dev.fraudscorer.scorer.features.FeatureStores.CUSTOMER_STORE);
        final long terminalBytes = bytesUnder(appState, dev.fraudscorer.scorer.features.FeatureStores.TERMINAL_STORE);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put(String.format("customer store on disk, bytes per customer (%,d customers)", customers.size()),
                (double) customerBytes / customers.size());
        out.put(String.format("terminal store on disk, bytes per terminal (%,d terminals)", terminals.size()),
                (double) terminalBytes / terminals.size());
        out.put("projected state for 1 M customers + 100 k terminals, MB",
                (1e6 * customerBytes / customers.size() + 1e5 * terminalBytes / terminals.size()) / 1e6);
        return out;
    }

    private static long bytesUnder(Path root, String storeName) throws Exception {
        if (!Files.exists(root)) {
            return 0;
        }
        try (var paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).filter(p -> p.toString().contains("/" + storeName + "/"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * The stream thread's JFR execution samples, each given to the part of the scorer whose frame is nearest its
     * leaf. A sample is ~10 ms of the thread's Java CPU ("profile" settings), so samples x 10 ms / records is the
     * part's sampled cost per record.
     */
    static final class CostTable {
        static final List<Map.Entry<String, List<String>>> PARTS = List.of(
                // First: their frames lie under the scorer's own (a customer write is EntityHistory -> RocksDB.put).
                // JFR sees only their Java side; perf sees the native side too (PerfProfile).
                Map.entry("RocksDB: put, delete", List.of("RocksDB.put", "RocksDB.delete", "RocksDB.write")),
                Map.entry("RocksDB: get, iterators", List.of("RocksDB.get", "RocksIterator.", "AbstractRocksIterator.",
                        "RocksDB.iterator", "RocksDB.newIterator")),
                Map.entry("Avro decode (transaction)", List.of("AvroDeserializer.", "KafkaDeserializer.")),
                Map.entry("Avro encode (verdict)", List.of("AvroSerializer.", "KafkaSerializer.")),
                Map.entry("customer state write + eviction", List.of("EntityHistory.putAndEvict")),
                Map.entry("feature scans (customer + terminal history)", List.of("FeatureEngine.aggregate")),
                Map.entry("model", List.of("TreeEnsemble.predict")),
                Map.entry("reason codes", List.of("TreeEnsemble.contributions", "TreeShap.")),
                Map.entry("input screen", List.of("InputScreen.check")),
                Map.entry("verdict build", List.of("VerdictBuilder.build")),
                Map.entry("meters", List.of("ScorerMetrics.")),
                Map.entry("outcome store", List.of("VerdictOutcomes.", "LabelOutcomeProcessor.")),
                Map.entry("terminal-history entry", List.of("ToTerminalEvents.")),
                Map.entry("validation", List.of("ValidateProcessor.", "TransactionValidator.")),
                Map.entry("scorer, rest (features glue, tracing, routing)", List.of("ScoreProcessor.")),
                Map.entry("Streams: produce (sinks, changelogs)", List.of("RecordCollectorImpl.", "SinkNode.")),
                Map.entry("Streams: commit (flush, transactions)", List.of("TaskManager.commit", "StreamsProducer.commit",
                        "TaskExecutor.commit")),
                Map.entry("Streams: poll", List.of("StreamThread.poll")),
                Map.entry("Streams: record loop", List.of("StreamTask.", "TaskExecutor.", "StreamThread.")));

        /** Prints the table; returns the samples per part. */
        static Map<String, Integer> print(Path jfr, String applicationId, int records) throws Exception {
            final Map<String, Integer> counts = new LinkedHashMap<>();
            PARTS.forEach(p -> counts.put(p.getKey(), 0));
            counts.put("other", 0);
            int total = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                final var thread = e.getThread("sampledThread");
                if (thread == null || thread.getJavaName() == null || !thread.getJavaName().contains(applicationId)
                        || !thread.getJavaName().matches(".*StreamThread-\\d+$") || e.getStackTrace() == null) {
                    continue;
                }
                total++;
                counts.merge(partOf(e.getStackTrace().getFrames()), 1, Integer::sum);
            }
            final int all = total;
            System.out.printf("  %-50s %8s %7s %12s%n", "part", "samples", "share", "us/record");
            counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(c -> System.out.printf(
                    "  %-50s %8d %6.1f%% %12.1f%n", c.getKey(), c.getValue(), all == 0 ? 0 : 100.0 * c.getValue() / all,
                    c.getValue() * 10_000.0 / records));
            System.out.printf("  %-50s %8d %7s %12.1f%n", "total (stream thread, Java)", all, "", all * 10_000.0 / records);
            return counts;
        }

        private static String partOf(List<RecordedFrame> frames) {
            for (RecordedFrame f : frames) {
                final String name = f.getMethod().getType().getName();
                final String part = partOfMethod(name.substring(name.lastIndexOf('.') + 1) + "." + f.getMethod().getName());
                if (part != null) {
                    return part;
                }
            }
            return "other";
        }

        /** The part {@code SimpleClass.method} belongs to, or null. */
        static String partOfMethod(String method) {
            for (Map.Entry<String, List<String>> part : PARTS) {
                for (String prefix : part.getValue()) {
                    if (method.startsWith(prefix) || method.contains("$" + prefix)) {
                        return part.getKey();
                    }
                }
            }
            return null;
        }
    }
}
