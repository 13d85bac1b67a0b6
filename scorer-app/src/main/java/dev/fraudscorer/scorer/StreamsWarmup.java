package dev.fraudscorer.scorer;

import dev.fraudscorer.data.DirectoryTree;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.control.ModelStores;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.score.Tracing;
import dev.fraudscorer.scorer.validate.StreamErrors;
import dev.fraudscorer.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a copy of the scorer's own topology in-process (Kafka Streams' {@link TopologyTestDriver}: real tasks,
 * processors, RocksDB stores, changelogging and the Apicurio codecs, a mock producer instead of the broker) over
 * synthetic transactions, labels and bad records, before {@code /ready}. A new scorer process otherwise meets its
 * first live records with Streams' task loop, the stores and the codecs uncompiled: restarted beside a warm broker
 * at 1,500/s its first 5 s window's p99 was 0.9-1.8 s, its C1 and C2 compilers took 0.8 of a core while the stream
 * thread got 0.4 (README, Performance, "seventh session"). {@link dev.fraudscorer.scorer.score.ScoringWarmup} covers the scoring arithmetic only.
 *
 * <p>The copy has its own application id, state directory ({@code <state.dir>/streams-warmup}, deleted afterwards),
 * model cache and discarding meters, so nothing of it reaches Kafka, the registry's contents or {@code /metrics}. It serves the model the live global
 * stores hold: it starts once they have one, with the same signed records.
 *
 * <p>When it ran whole, the real Kafka clients are warmed after it ({@link ClientWarmup}): this copy's producer is a
 * mock, and its network paths were the bulk of what a new scorer still compiled after {@code /ready}.
 */
final class StreamsWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsWarmup.class);
    /** The longest the records may take; the driver then stops wherever it is. */
    static final long MAX_MILLIS = 10_000;
    /**
     * Live records the stream threads may process before the warm-up gives way: a restart into a backlog compiles the
     * path with live records, and there the warm-up only took CPU from the catch-up (crash verifier, one instance
     * killed twice at 1,000/s: kill to every partition delivering 18.4 and 16.6 s with a full warm-up, 17.1 and 13.1 s
     * without; start to /ready 17.6 and 22.4 s against 10.1 and 8.4).
     */
    static final long LIVE_RECORDS_TO_YIELD = 1_000;
    /** The longest it waits for the live global stores to hold a served model before it gives up (ready anyway). */
    static final long MODEL_WAIT_MILLIS = 120_000;

    private static final java.util.concurrent.atomic.AtomicInteger DRIVERS = new java.util.concurrent.atomic.AtomicInteger();

    private final ScorerConfig config;
    private final KafkaStreams live;
    private final ModelCache liveCache;
    private final Supplier<ScorerTopology.AvroCodecs> codecs;
    private final Supplier<Serializer<Transaction>> transactions;
    private final Supplier<Serializer<FraudLabel>> labels;
    private final int records;
    private volatile boolean done;
    /** Set when the scorer stops: the driver stops at its next record. */
    private final AtomicBoolean stop = new AtomicBoolean();

    private StreamsWarmup(ScorerConfig config, KafkaStreams live, ModelCache liveCache,
                          Supplier<ScorerTopology.AvroCodecs> codecs, Supplier<Serializer<Transaction>> transactions,
                          Supplier<Serializer<FraudLabel>> labels) {
        this.config = config;
        this.live = live;
        this.liveCache = liveCache;
        this.codecs = codecs;
        this.transactions = transactions;
        this.labels = labels;
        this.records = config.getInt(ScorerConfig.WARMUP_STREAMS_RECORDS);
    }

    /** Starts the warm-up on its own thread; {@link #done()} turns true when it ended, however it ended. */
    static StreamsWarmup start(ScorerConfig config, KafkaStreams live, ModelCache liveCache,
                               Supplier<ScorerTopology.AvroCodecs> codecs, Supplier<Serializer<Transaction>> transactions,
                               Supplier<Serializer<FraudLabel>> labels) {
        final StreamsWarmup warmup = new StreamsWarmup(config, live, liveCache, codecs, transactions, labels);
        if (warmup.records == 0) {
            warmup.done = true;
            return warmup;
        }
        final Thread thread = new Thread(warmup::run, "streams-warmup");
        thread.setDaemon(true);
        thread.start();
        return warmup;
    }

    /** Part of {@code /ready}. */
    boolean done() {
        return done;
    }

    /** The scorer is stopping: a warm-up still running ends at its next record. */
    void stop() {
        stop.set(true);
    }

    private void run() {
        try {
            final long deadline = System.nanoTime() + MODEL_WAIT_MILLIS * 1_000_000;
            while (liveCache.lastServing(config.modelName()).isEmpty()) {
                if (stop.get()) {
                    return;
                }
                if (System.nanoTime() > deadline || live.state().hasCompletedShutdown()) {
                    LOG.warn("no served model after {} ms; the Streams warm-up did not run", MODEL_WAIT_MILLIS);
                    return;
                }
                Thread.sleep(100);
            }
            final long start = System.nanoTime();
            final long liveBefore = liveRecordsProcessed();
            final Result result = warm(config, codecs.get(), transactions.get(), labels.get(), records,
                    copyOf(ModelStores.REGISTRY_STORE), copyOf(ModelStores.CONTROL_STORE), stop,
                    () -> liveRecordsProcessed() - liveBefore >= LIVE_RECORDS_TO_YIELD);
            LOG.info("warmed Kafka Streams' path with the scorer's topology in-process: {} transactions ({} verdicts,"
                    + " {} dead letters) in {} ms{}", result.transactions(), result.verdicts(), result.deadLetters(),
                    (System.nanoTime() - start) / 1_000_000, result.transactions() < records
                            ? "; stopped early: live records arrived (they warm the path themselves) or the time ran out"
                            : "");
            // Not when live records cut the Streams warm-up short: they warm the clients themselves, sooner.
            if (!stop.get() && result.transactions() >= records) {
                ClientWarmup.run(config, config.getInt(ScorerConfig.WARMUP_CLIENTS_RECORDS), stop);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | IOException | Error e) {
            // A warm-up is an optimisation: whatever fails in it, the live path is the one that matters.
            LOG.warn("the Streams warm-up failed; ready without it", e);
        } finally {
            done = true;
        }
    }

    /** Records the live stream threads have processed so far (Streams' own process-total meters). */
    private long liveRecordsProcessed() {
        double total = 0;
        for (var metric : live.metrics().entrySet()) {
            if (metric.getKey().group().equals("stream-thread-metrics") && metric.getKey().name().equals("process-total")
                    && metric.getValue().metricValue() instanceof Double d) {
                total += d;
            }
        }
        return (long) total;
    }

    /** The raw records of a live global store (as its topic holds them), read once it is queryable. */
    private List<KeyValue<String, byte[]>> copyOf(String storeName) throws InterruptedException {
        final long deadline = System.nanoTime() + MODEL_WAIT_MILLIS * 1_000_000;
        while (true) {
            try {
                final ReadOnlyKeyValueStore<String, byte[]> store = live.store(StoreQueryParameters.fromNameAndType(
                        storeName, QueryableStoreTypes.<String, byte[]>keyValueStore()));
                final List<KeyValue<String, byte[]>> out = new ArrayList<>();
                try (KeyValueIterator<String, byte[]> all = store.all()) {
                    all.forEachRemaining(out::add);
                }
                return out;
            } catch (InvalidStateStoreException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    /** What one warm-up did: transactions sent, verdicts and dead letters that came out. */
    record Result(int transactions, int verdicts, int deadLetters) {
    }

    /**
     * Runs {@code records} synthetic transactions (a label every tenth, a bad record every 500th) through a driver of
     * the topology serving what {@code registryRecords} and {@code controlRecords} say, at most {@value #MAX_MILLIS} ms.
     *
     */
    static Result warm(ScorerConfig config, ScorerTopology.AvroCodecs codecs, Serializer<Transaction> txSerializer,
                      Serializer<FraudLabel> labelSerializer, int records,
                      List<KeyValue<String, byte[]>> registryRecords, List<KeyValue<String, byte[]>> controlRecords)
            throws IOException {
        return warm(config, codecs, txSerializer, labelSerializer, records, registryRecords, controlRecords,
                new AtomicBoolean(), () -> false);
    }

    private static Result warm(ScorerConfig config, ScorerTopology.AvroCodecs codecs, Serializer<Transaction> txSerializer,
                              Serializer<FraudLabel> labelSerializer, int records,
                              List<KeyValue<String, byte[]>> registryRecords,
                              List<KeyValue<String, byte[]>> controlRecords, AtomicBoolean stop,
                              BooleanSupplier liveBusy) throws IOException {
        // Inside the scorer's state dir, beside (not inside) Streams' own <application.id> directory: a process killed
        // during the warm-up leaves it there, and the next one starts by deleting it.
        final Path stateDir = Path.of(config.getString(ScorerConfig.STATE_DIR)).resolve("streams-warmup");
        deleteTree(stateDir);
        Files.createDirectories(stateDir);
        final ScorerMetrics metrics = ScorerMetrics.discarding();
        final ModelCache cache = new ModelCache(config.trustedKeys(), config.featureCapabilities(), (key, reason) -> { });
        final Properties props = new Properties();
        props.putAll(config.streamsProperties());
        // Unique: two scorers in one JVM (tests) must not share the driver's metric and state names.
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ScorerConfig.APPLICATION_ID) + "-warmup-"
                + DRIVERS.incrementAndGet());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamErrors.METRICS_CONFIG, metrics);
        final int[] counts = new int[2]; // verdicts, dead letters: what drain has read so far
        try (TopologyTestDriver driver = new TopologyTestDriver(ScorerTopology.build(config, codecs, cache,
                metrics, Clock.systemUTC(), Tracing.off()), props)) {
            final TestInputTopic<String, byte[]> registry = driver.createInputTopic(Topics.MODEL_REGISTRY.name(),
                    new StringSerializer(), new ByteArraySerializer());
            final TestInputTopic<String, byte[]> control = driver.createInputTopic(Topics.MODEL_CONTROL.name(),
                    new StringSerializer(), new ByteArraySerializer());
            registryRecords.forEach(r -> registry.pipeInput(r.key, r.value));
            controlRecords.forEach(r -> control.pipeInput(r.key, r.value));
            final TestInputTopic<byte[], byte[]> in = driver.createInputTopic(Topics.TRANSACTIONS.name(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            final TestInputTopic<byte[], byte[]> labelsIn = driver.createInputTopic(Topics.FRAUD_LABELS.name(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            final Random random = new Random(1);
            final long t0 = Instant.parse("2018-04-01T00:00:00Z").toEpochMilli();
            final long deadline = System.nanoTime() + MAX_MILLIS * 1_000_000;
            int i = 0;
            for (; i < records && !stop.get()
                    && (i % 256 != 0 || (System.nanoTime() < deadline && !liveBusy.getAsBoolean())); i++) {
                // Amounts now and then far outside the training data (outliers, reviews), as ScoringWarmup does.
                final double amount = i % 97 == 0 ? 20_000 + random.nextDouble() * 50_000 : 5 + random.nextDouble() * 200;
                final String customer = "warmup-c" + i % 300;
                final long eventTime = t0 + i * 90_000L;
                final Transaction tx = Transaction.newBuilder().setTransactionId("warmup-" + i)
                        .setEventTime(Instant.ofEpochMilli(eventTime)).setCustomerId(customer)
                        .setTerminalId("warmup-t" + i % 150).setAmount(amount).setCurrency("EUR").setChannel("POS")
                        .build();
                final byte[] key = customer.getBytes(StandardCharsets.UTF_8);
                in.pipeInput(key, txSerializer.serialize(Topics.TRANSACTIONS.name(), tx));
                if (i % 10 == 5) {
                    final FraudLabel label = FraudLabel.newBuilder().setTransactionId(tx.getTransactionId())
                            .setCustomerId(customer).setTerminalId(tx.getTerminalId())
                            .setTransactionTime(tx.getEventTime()).setFraud(i % 30 == 5)
                            .setLabelledAt(Instant.ofEpochMilli(eventTime + 60_000)).build();
                    labelsIn.pipeInput(tx.getTerminalId().getBytes(StandardCharsets.UTF_8),
                            labelSerializer.serialize(Topics.FRAUD_LABELS.name(), label));
                }
                if (i % 500 == 250) {
                    in.pipeInput(key, new byte[] {0, 0, 0, 0, 1, 2, 3}); // a dead letter, as bad input is
                }
                if (i % 1_000 == 999) {
                    drain(driver, counts);
                }
            }
            drain(driver, counts);
            return new Result(i, counts[0], counts[1]);
        } finally {
            deleteTree(stateDir);
        }
    }

    /** Reads what the driver captured (it keeps every output record until read), counting verdicts and dead letters. */
    private static void drain(TopologyTestDriver driver, int[] counts) {
        for (String topic : driver.producedTopicNames()) {
            final int n = driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList().size();
            if (topic.equals(Topics.VERDICTS.name())) {
                counts[0] += n;
            } else if (topic.equals(Topics.DEAD_LETTERS.name())) {
                counts[1] += n;
            }
        }
    }

    private static void deleteTree(Path dir) {
        try {
            DirectoryTree.delete(dir);
        } catch (IOException e) {
            LOG.debug("could not delete {}", dir, e);
        }
    }
}
