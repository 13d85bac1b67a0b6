package dev.fraudscorer.scorer.score;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.features.EventStore;
import dev.fraudscorer.features.FeatureEngine;
import dev.fraudscorer.features.InMemoryEventStore;
import dev.fraudscorer.features.PackedEntityStore;
import dev.fraudscorer.features.SharedEntityCache;
import dev.fraudscorer.features.TxInput;
import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.BenchSupport;
import dev.fraudscorer.scorer.control.LoadedModel;
import dev.fraudscorer.scorer.features.OverlaidEventStore;
import dev.fraudscorer.scorer.features.RecentTerminalEntries;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The scorer's own work per transaction (what {@code fraud_scoring_time} times: features, model, screening, reason
 * codes, verdict assembly) measured alone with JMH, on one otherwise idle core: the meter in {@code ScorerBenchmark}
 * and in production is wall-clock time on a stream thread that shares the machine with the broker, the global thread
 * and the producer, so on a saturated 2-core machine it also counts the time the thread waited to be scheduled.
 *
 * <p>State as the live path holds it (a per-task packed customer store, the shared terminal cache read through the
 * recent-entries overlay), filled by replaying {@value #HISTORY} real transactions from 2018-04-01 (each fraud's label
 * in its terminal's history); then {@value #SCORED} further transactions are scored over and over. A benchmark, not
 * in the suite:
 * {@code mvn -B -pl scorer-app -am test -Dtest=ScoringBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * [-Dbundle=$PWD/local-stack/models/fraud-1]} (the golden 20-tree bundle without {@code -Dbundle}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScoringBenchmark {

    static final int HISTORY = 200_000;
    static final int SCORED = 20_000;
    private static final int CUSTOMER_DAYS = 35;
    private static final int TERMINAL_DAYS = 45;
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final Manifest.Thresholds DECLINE_ALL = new Manifest.Thresholds(0, 0, "benchmark: decline all");

    private LoadedModel model;
    private FeatureEngine engine;
    private TxInput[] inputs;
    private Transaction[] transactions;
    private double[][] features;
    private int next;
    private Verdict[] verdicts;
    private org.apache.avro.io.DatumWriter<Verdict> verdictWriter;
    private org.apache.avro.io.DatumWriter<Verdict> plainVerdictWriter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        final Path bundle = Path.of(System.getProperty("bundle", "src/test/resources/golden-bundle"));
        model = LoadedModel.load("fraud", 1, ModelBundle.readFrom(bundle),
                new FeatureEngine.Capabilities(CUSTOMER_DAYS, TERMINAL_DAYS, 1));
        final List<DatasetRow> rows = BenchSupport.replayRows(HISTORY + SCORED);
        final PackedEntityStore customers = new PackedEntityStore(new PackedEntityStore.InMemoryRows(), 20_000);
        final InMemoryEventStore terminalRows = new InMemoryEventStore();
        final SharedEntityCache terminalCache = new SharedEntityCache(50_000);
        final EventStore terminalWriter = terminalCache.writeThrough(terminalRows);
        engine = new FeatureEngine(customers,
                new OverlaidEventStore(terminalCache.readThrough(terminalRows), new RecentTerminalEntries()));
        // Every row is recorded first, the scored ones too: a scan ends at its own transaction, so what comes later
        // is not read, and scoring the same transactions again and again then reads the same state.
        for (DatasetRow row : rows) {
            final TxInput input = row.toInput();
            engine.recordCustomer(input, CUSTOMER_DAYS);
            customers.flush();
            EntityHistory.putAndEvict(terminalWriter, EntityHistory.transaction(row.terminalId(), input), TERMINAL_DAYS);
            if (row.fraud()) {
                EntityHistory.putAndEvict(terminalWriter, EntityHistory.label(row.terminalId(), row.eventTimeMs(),
                        row.transactionId(), true), TERMINAL_DAYS);
            }
        }
        inputs = new TxInput[SCORED];
        transactions = new Transaction[SCORED];
        features = new double[SCORED][];
        int flagged = 0;
        for (int i = 0; i < SCORED; i++) {
            final DatasetRow row = rows.get(HISTORY + i);
            inputs[i] = row.toInput();
            transactions[i] = Transaction.newBuilder().setTransactionId(row.transactionId())
                    .setEventTime(Instant.ofEpochMilli(row.eventTimeMs())).setCustomerId(row.customerId())
                    .setTerminalId(row.terminalId()).setAmount(row.amount()).setCurrency("EUR").setChannel("POS").build();
            features[i] = engine.compute(model.spec(), inputs[i]);
            if (ScoreProcessor.verdictOf(model, model.manifest().thresholds(), transactions[i], features[i],
                    Instant.EPOCH, TRACE_ID).getDecision() != Decision.APPROVE) {
                flagged++;
            }
        }
        verdicts = new Verdict[SCORED];
        for (int i = 0; i < SCORED; i++) {
            verdicts[i] = ScoreProcessor.verdictOf(model, model.manifest().thresholds(), transactions[i], features[i],
                    Instant.EPOCH, TRACE_ID);
        }
        verdictWriter = new dev.fraudscorer.topics.SchemaIdentityDatumProvider<Verdict>()
                .createDatumWriter(verdicts[0], Verdict.SCHEMA$);
        plainVerdictWriter = new org.apache.avro.specific.SpecificDatumWriter<>(Verdict.SCHEMA$);
        System.out.printf("%,d of the %,d scored transactions are REVIEW or DECLINE under the model's thresholds%n",
                flagged, SCORED);
    }

    private int nextIndex() {
        final int i = next;
        next = i + 1 == SCORED ? 0 : i + 1;
        return i;
    }

    /** The feature engine alone: the customer and terminal scans and the arithmetic. */
    @Benchmark
    public double[] features() {
        final int i = nextIndex();
        return engine.compute(model.spec(), inputs[i]);
    }

    /** The trees alone. */
    @Benchmark
    public double model() {
        return model.ensemble().predict(features[nextIndex()]);
    }

    /** Model, screening, reason codes (for REVIEW and DECLINE) and the verdict record, on features computed before. */
    @Benchmark
    public Verdict verdict() {
        final int i = nextIndex();
        return ScoreProcessor.verdictOf(model, model.manifest().thresholds(), transactions[i], features[i],
                Instant.EPOCH, TRACE_ID);
    }

    /** All of it, as the scorer's meter times it. */
    @Benchmark
    public Verdict scoring() {
        final int i = nextIndex();
        final double[] x = engine.compute(model.spec(), inputs[i]);
        return ScoreProcessor.verdictOf(model, model.manifest().thresholds(), transactions[i], x, Instant.EPOCH,
                TRACE_ID);
    }

    /** The decline-all thresholds: every verdict names its reason codes (TreeSHAP), the most a record can cost. */
    @Benchmark
    public Verdict scoringWithReasonCodes() {
        final int i = nextIndex();
        final double[] x = engine.compute(model.spec(), inputs[i]);
        return ScoreProcessor.verdictOf(model, DECLINE_ALL, transactions[i], x, Instant.EPOCH, TRACE_ID);
    }

    /**
     * The verdict's Avro encoding as the scorer's serializer does it (Apicurio: a direct encoder over a byte stream,
     * the datum writer from {@code SchemaIdentityDatumProvider}), and beside it with Avro's own writer alone, as
     * Apicurio's default provider wrote it: the same bytes.
     */
    @Benchmark
    public byte[] encode() throws java.io.IOException {
        return encode(verdictWriter, verdicts[nextIndex()]);
    }

    @Benchmark
    public byte[] encodeUnbuffered() throws java.io.IOException {
        return encode(plainVerdictWriter, verdicts[nextIndex()]);
    }

    private static byte[] encode(org.apache.avro.io.DatumWriter<Verdict> writer, Verdict verdict)
            throws java.io.IOException {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final org.apache.avro.io.Encoder encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(verdict, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void run() throws Exception {
        final String bundle = Path.of(System.getProperty("bundle", "src/test/resources/golden-bundle"))
                .toAbsolutePath().toString();
        // -Dmethods=features|verdict runs only those; -Djfr=file records the measured fork with JFR.
        final List<String> jvmArgs = new ArrayList<>(List.of("-Dbundle=" + bundle, "-Xmx2g"));
        if (System.getProperty("jfr") != null) {
            jvmArgs.add("-XX:StartFlightRecording=settings=profile,filename="
                    + Path.of(System.getProperty("jfr")).toAbsolutePath());
        }
        final Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(ScoringBenchmark.class.getName() + "\\.(" + System.getProperty("methods", ".*") + ")$")
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .build()).run();
        System.out.printf("%nThe scorer's own work per transaction, JMH average time (%s; %,d transactions of state,"
                + " %,d scored over and over):%n", bundle, HISTORY, SCORED);
        for (RunResult r : results) {
            final String name = r.getParams().getBenchmark();
            System.out.printf("  %-26s %8.2f +- %.2f us%n", name.substring(name.lastIndexOf('.') + 1),
                    r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError());
        }
    }
}
