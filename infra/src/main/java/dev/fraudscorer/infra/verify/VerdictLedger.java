package dev.fraudscorer.infra.verify;

import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What came out, read as a downstream consumer reads it: verdicts and dead letters, {@code read_committed}, from
 * the beginning, while the run goes on. Each output is matched to its input by the {@code verify.id} header the
 * load puts on every input (Kafka Streams carries input headers to outputs; dead letters keep them). Checks every
 * verdict's features against the offline features of its transaction as it arrives, and watches, for each fault,
 * how long until every partition delivers a verdict scored after it.
 */
final class VerdictLedger implements Runnable, AutoCloseable {

    static final String ID_HEADER = "verify.id";

    private final Map<String, Object> client;
    private final String registryUrl;
    private final Expected expected;
    private final Thread thread = new Thread(this, "verdict-ledger");
    private volatile boolean running = true;
    private volatile Throwable failure;

    final Map<String, Integer> verdicts = new ConcurrentHashMap<>();
    final Map<String, Integer> deadLetters = new ConcurrentHashMap<>();
    final Map<String, Long> deadLetterReasons = new ConcurrentHashMap<>();
    /** Per feature name: verdicts whose value differs from the offline value by more than 1e-9. */
    final Map<String, Long> featureDiffs = new ConcurrentHashMap<>();
    volatile double maxFeatureDelta;
    volatile long featuresCompared;
    final double[] liveScores;
    private final List<Probe> probes = new CopyOnWriteArrayList<>();
    /** Verdicts arrived per wall-clock second and partition: the run as an operator's dashboard would show it. */
    final Map<Long, long[]> arrivalsPerSecond = new ConcurrentHashMap<>();
    private int partitions;
    /**
     * Input to verdict latency (the input's producer timestamp, which Kafka Streams gives its outputs, to the moment
     * this reader got the verdict), per minute since {@link #start()}: a soak is judged minute by minute.
     */
    final Map<Long, org.HdrHistogram.ConcurrentHistogram> latencyPerMinute = new ConcurrentHashMap<>();
    /** Verdicts per model version, as the soak's swaps alternate. */
    final Map<Integer, Long> verdictsByVersion = new ConcurrentHashMap<>();
    volatile long startMs;
    /**
     * Each transaction's first verdict as score, decision and version (this reader's thread only). Under
     * at_least_once a crash may score a transaction twice; a consumer de-duplicating by transaction id needs the
     * second verdict to repeat the first.
     */
    private final Map<String, String> firstDecided = new HashMap<>();
    volatile long repeatedVerdicts;
    /** Repeated verdicts that did not repeat the first one's score, decision or version. */
    final List<String> differingRepeats = new CopyOnWriteArrayList<>();

    /** The inputs the load will send: what each verdict is checked against. */
    record Expected(Map<String, Integer> rowOfId, List<String> featureNames, double[][] offlineFeatures) {
    }

    /** How long after {@code atMs} until every partition delivered a verdict scored at or after it. */
    static final class Probe {
        final String what;
        final long atMs;
        final Map<Integer, Long> firstArrivalMs = new ConcurrentHashMap<>();

        Probe(String what, long atMs) {
            this.what = what;
            this.atMs = atMs;
        }

        /** Longest wait over partitions, or null while some partition has not delivered yet. */
        Duration recovery(int partitions) {
            if (firstArrivalMs.size() < partitions) {
                return null;
            }
            return Duration.ofMillis(firstArrivalMs.values().stream().mapToLong(t -> t - atMs).max().orElse(0));
        }
    }

    VerdictLedger(Map<String, Object> client, String registryUrl, Expected expected) {
        this.client = client;
        this.registryUrl = registryUrl;
        this.expected = expected;
        this.liveScores = new double[expected.offlineFeatures().length];
        java.util.Arrays.fill(liveScores, Double.NaN);
    }

    void start() {
        startMs = System.currentTimeMillis();
        thread.setDaemon(true);
        thread.start();
    }

    Probe probe(String what, long atMs) {
        final Probe p = new Probe(what, atMs);
        probes.add(p);
        return p;
    }

    List<Probe> probes() {
        return probes;
    }

    int partitions() {
        return partitions;
    }

    long received() {
        return verdicts.size() + deadLetters.size();
    }

    void requireHealthy() {
        if (failure != null) {
            throw new IllegalStateException("the verdict reader failed: " + failure, failure);
        }
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(client, "read_committed")) {
            final List<TopicPartition> parts = assignAll(consumer);
            partitions = (int) parts.stream().filter(p -> p.topic().equals(Topics.VERDICTS.name())).count();
            final Deserializer<Verdict> serde = AvroSerdes.<Verdict>values(registryUrl).deserializer();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    final long now = System.currentTimeMillis();
                    if (r.topic().equals(Topics.VERDICTS.name())) {
                        final Verdict v = serde.deserialize(r.topic(), r.headers(), r.value());
                        final String id = idOf(r, v.getTransactionId());
                        verdicts.merge(id, 1, Integer::sum);
                        repeated(id, v);
                        arrivalsPerSecond.computeIfAbsent(now / 1000, k -> new long[partitions])[r.partition()]++;
                        check(id, v);
                        latencyPerMinute.computeIfAbsent((now - startMs) / 60_000,
                                m -> new org.HdrHistogram.ConcurrentHistogram(3_600_000L, 3))
                                .recordValue(Math.max(0, Math.min(now - r.timestamp(), 3_600_000L)));
                        verdictsByVersion.merge(v.getModelVersion(), 1L, Long::sum);
                        final long scoredAt = v.getScoredAt().toEpochMilli();
                        for (Probe p : probes) {
                            if (scoredAt >= p.atMs) {
                                p.firstArrivalMs.putIfAbsent(r.partition(), now);
                            }
                        }
                    } else {
                        deadLetters.merge(idOf(r, "?"), 1, Integer::sum);
                        final Header reason = r.headers().lastHeader("dlq.reason");
                        deadLetterReasons.merge(reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8),
                                1L, Long::sum);
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Notes {@code v} for input {@code id}; a second verdict for it must repeat the first's score, decision, version. */
    void repeated(String id, Verdict v) {
        final String decided = "score " + v.getScore() + ", " + v.getDecision() + ", version " + v.getModelVersion();
        final String first = firstDecided.putIfAbsent(id, decided);
        if (first != null) {
            repeatedVerdicts++;
            if (!first.equals(decided)) {
                differingRepeats.add(id + ": " + first + ", then " + decided);
            }
        }
    }

    private void check(String id, Verdict v) {
        final Integer row = expected.rowOfId().get(id);
        if (row == null) {
            return;
        }
        liveScores[row] = v.getScore();
        final double[] offline = expected.offlineFeatures()[row];
        final Map<String, Double> online = v.getFeatures();
        for (int f = 0; f < offline.length; f++) {
            final String name = expected.featureNames().get(f);
            final Double value = online.get(name);
            final double delta = value == null ? Double.POSITIVE_INFINITY : Math.abs(value - offline[f]);
            if (delta > 1e-9) {
                featureDiffs.merge(name, 1L, Long::sum);
            }
            if (delta > maxFeatureDelta) {
                maxFeatureDelta = delta;
            }
        }
        featuresCompared++;
    }

    static String idOf(ConsumerRecord<byte[], byte[]> r, String fallback) {
        final Header h = r.headers().lastHeader(ID_HEADER);
        return h == null ? fallback : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Outputs per input id, read from the beginning to the end as a fresh consumer with this isolation level. */
    record Counts(Map<String, Integer> verdicts, Map<String, Integer> deadLetters) {
    }

    static Counts count(Map<String, Object> client, String isolation) {
        final Map<String, Integer> verdicts = new HashMap<>();
        final Map<String, Integer> dead = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(client, isolation)) {
            final List<TopicPartition> parts = assignAll(consumer);
            final Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            final long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + parts + " to its end within 5 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    (r.topic().equals(Topics.VERDICTS.name()) ? verdicts : dead).merge(idOf(r, "?"), 1, Integer::sum);
                }
            }
        }
        return new Counts(verdicts, dead);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> client, String isolation) {
        final Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> assignAll(KafkaConsumer<byte[], byte[]> consumer) {
        final List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(Topics.VERDICTS.name(), Topics.DEAD_LETTERS.name())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return parts;
    }

    /** Dead letters per {@code dlq.reason}, for the report. */
    Map<String, Long> reasons() {
        return new TreeMap<>(deadLetterReasons);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
