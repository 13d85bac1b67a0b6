package dev.fraudscorer.scorer.score;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.features.PackedEntityStore;
import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.features.EventStore;
import dev.fraudscorer.features.FeatureEngine;
import dev.fraudscorer.features.InMemoryEventStore;
import dev.fraudscorer.features.SharedEntityCache;
import dev.fraudscorer.features.TxInput;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.LoadedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scoring path on synthetic transactions once per process, when the first model is loaded (on the global
 * thread, so before the stream threads take their first record): the JIT then compiles what every record needs
 * (Avro decode, feature engine, trees, reason codes, screening, verdict assembly, Avro encode) before traffic, instead
 * of interpreting it while a backlog builds. The manifest's reference rows exercise the trees alone, and only 32 times.
 * It stops after {@value #RECORDS} records or {@value #MAX_MILLIS} ms, whichever comes first: on an idle 2-core
 * machine the records take 1.7-2.8 s, but a scorer restarted beside a busy instance and the load took 8.5 s for them
 * (verifier soak, 2026-12-03), all of it before its stream threads could start.
 *
 * <p>Running the records is not the end of it: the JIT compiles them afterwards, one C2 compilation after another,
 * 0.5-1.7 s each on a busy 2-core machine, and the scoring path's methods were still being compiled 10-20 s into the
 * load while the first live records ran in slow code (JFR of {@code demo --rate 1500}, 2026-12-07). So
 * {@link #warm()}, part of {@code /ready}, turns true only once the compilations queued when the records ended are
 * done (or after {@value #SETTLE_MAX_MILLIS} ms); the stream threads do not wait for it. And the records take the live
 * path's branches (declines, reviews, outliers, fraud labels) and its very call sites, so that its first records do
 * not deoptimize what the warm-up compiled.
 */
public final class ScoringWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringWarmup.class);
    static final int RECORDS = 20_000;
    static final long MAX_MILLIS = 3_000;
    /** The longest {@code /ready} waits for the JIT after the records; then it reports ready regardless. */
    static final long SETTLE_MAX_MILLIS = 30_000;
    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static volatile boolean warm;

    private ScoringWarmup() {
    }

    /** Warms the path with {@code model} unless this process already did; then waits for the JIT off-thread. */
    public static void once(LoadedModel model) {
        if (DONE.compareAndSet(false, true)) {
            final long start = System.nanoTime();
            final long[] done = run(model, RECORDS, start + MAX_MILLIS * 1_000_000);
            LOG.info("warmed the scoring path with {} synthetic transactions in {} ms (checksum {})", done[0],
                    (System.nanoTime() - start) / 1_000_000, done[1]);
            final Thread settle = new Thread(() -> awaitCompiled(System.nanoTime()), "scoring-warmup-jit");
            settle.setDaemon(true);
            settle.start();
        }
    }

    /** Whether the warm-up ran and the JIT has compiled what it queued: part of {@code /ready}. */
    public static boolean warm() {
        return warm;
    }

    /**
     * Waits until none of the compilations queued when the warm-up ended is left. Only those: a restarted scorer
     * catching up on a backlog keeps the JIT busy with the live path for half a minute (verifier, 2026-12-07), and
     * waiting for an empty queue held {@code /ready} back 27 s after RUNNING.
     */
    private static void awaitCompiled(long start) {
        final long deadline = start + SETTLE_MAX_MILLIS * 1_000_000;
        final Set<Integer> pending = CompileQueue.ids();
        final int queued = pending == null ? 0 : pending.size();
        try {
            while (pending != null && !pending.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                final Set<Integer> now = CompileQueue.ids();
                if (now == null) {
                    break;
                }
                pending.retainAll(now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final long ms = (System.nanoTime() - start) / 1_000_000;
        if (pending == null) {
            LOG.info("this JVM does not show its compile queue; ready without waiting for the JIT");
        } else if (pending.isEmpty()) {
            LOG.info("the JIT compiled the {} methods the warm-up had queued within {} ms after it", queued, ms);
        } else {
            LOG.warn("the JIT still had {} of the warm-up's {} compilations queued {} ms after it; ready regardless",
                    pending.size(), queued, ms);
        }
        warm = true;
    }

    /**
     * @param deadline {@link System#nanoTime()} after which no further record is started
     * @return the records done, and a number computed from every verdict, so the JIT cannot drop the work
     */
    static long[] run(LoadedModel model, int records, long deadline) {
        // The live path's store types: a per-task entity cache for customers, the shared cache for terminals.
        final InMemoryEventStore terminalStore = new InMemoryEventStore();
        final SharedEntityCache terminalCache = new SharedEntityCache(1_000);
        final EventStore terminals = terminalCache.writeThrough(terminalStore);
        final PackedEntityStore customers = new PackedEntityStore(new PackedEntityStore.InMemoryRows(), 1_000);
        final FeatureEngine engine = new FeatureEngine(customers, terminalCache.readThrough(terminalStore));
        final SpecificDatumWriter<Verdict> verdictWriter = new SpecificDatumWriter<>(Verdict.class);
        final SpecificDatumWriter<Transaction> txWriter = new SpecificDatumWriter<>(Transaction.class);
        final SpecificDatumReader<Transaction> txReader = new SpecificDatumReader<>(Transaction.class);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        final Random random = new Random(1);
        final long t0 = Instant.parse("2018-04-01T00:00:00Z").toEpochMilli();
        // Most warm-up scores approve, which skips reason codes: a quarter decline or review under these instead.
        final Manifest.Thresholds live = model.manifest().thresholds();
        final Manifest.Thresholds declineAll = new Manifest.Thresholds(0, 0, live.rule());
        final Manifest.Thresholds reviewAll = new Manifest.Thresholds(0, 1, live.rule());
        BinaryEncoder encoder = null;
        BinaryDecoder decoder = null;
        long checksum = 0;
        int i = 0;
        try {
            for (; i < records && (i % 256 != 0 || System.nanoTime() < deadline); i++) {
                // Now and then an amount far outside the training data, so that the input screen flags outliers.
                final double amount = i % 97 == 0 ? 20_000 + random.nextDouble() * 50_000 : 5 + random.nextDouble() * 200;
                final Transaction written = Transaction.newBuilder().setTransactionId(String.valueOf(i))
                        .setEventTime(Instant.ofEpochMilli(t0 + i * 90_000L)).setCustomerId("warmup-c" + i % 300)
                        .setTerminalId("warmup-t" + i % 150).setAmount(amount)
                        .setCurrency("EUR").setChannel("POS").build();
                bytes.reset();
                encoder = EncoderFactory.get().directBinaryEncoder(bytes, encoder);
                txWriter.write(written, encoder);
                decoder = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), decoder);
                final Transaction tx = txReader.read(null, decoder);
                final TxInput input = ScoreProcessor.inputOf(tx);
                engine.recordCustomer(input, 35);
                final double[] features = engine.compute(model.spec(), input);
                customers.flush();
                EntityHistory.putAndEvict(terminals, EntityHistory.transaction(tx.getTerminalId(), input), 45);
                if (i % 10 == 0) {
                    // Labels in the terminals' history, a third of them fraud, as the live global thread writes them.
                    EntityHistory.putAndEvict(terminals, EntityHistory.label(tx.getTerminalId(), input.eventTimeMs(),
                            tx.getTransactionId(), i % 30 == 0), 45);
                }
                final Manifest.Thresholds thresholds = i % 8 == 0 ? declineAll : i % 8 == 4 ? reviewAll : live;
                final Verdict verdict = ScoreProcessor.verdictOf(model, thresholds, tx, features, Instant.now(), null);
                bytes.reset();
                encoder = EncoderFactory.get().directBinaryEncoder(bytes, encoder);
                verdictWriter.write(verdict, encoder);
                checksum += bytes.size() + verdict.getReasonCodes().size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new long[] {i, checksum};
    }
}
