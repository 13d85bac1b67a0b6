package dev.fraudscorer.scorer.verdict;

import dev.fraudscorer.features.EntityEvents;
import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.features.EventKeys;
import dev.fraudscorer.features.PackedEntityStore;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Joins verdicts with fraud-labels in event time, for live precision and recall per model version. A verdict waits
 * until its label arrives (tp / fn) or its label window closes without one (fp / tn): labels come days late, and in
 * this domain mostly only for frauds. Both sides are on the customer's partition (labels are re-keyed), so this is
 * a lookup, not a distributed join.
 *
 * <p>A verdict waits inside its customer's history, which the window (days) is shorter than: its decision and version
 * ride on the transaction's entry, written by the put of its day's customer row that the transaction costs anyway. A per-verdict
 * store cost a put and a later tombstone, two changelog records per transaction. A label that arrives before its
 * verdict is parked in the same history. Windows close in event-time order, a whole hour ({@link #STEP_MS}) at a
 * time: the time before which every window is closed is kept in a one-row store, and in memory the task counts its
 * waiting verdicts per hour, version and decision (rebuilt from the customer rows when a task starts). Closing an
 * hour counts what is left in it as unlabelled, without reading any history: reading each customer's history again
 * a window later to find its waiting verdicts (a queue of customers, a binary search each) was a fifth of the stream
 * thread's samples (JFR).
 */
public final class VerdictOutcomes {

    /** One row per task: the event time before which every label window is closed. */
    public static final String STORE = "verdict-outcome-window";
    /** How far in event time windows close at once (and the one-row store is written). */
    static final long STEP_MS = 3_600_000L;
    private static final Bytes CLOSED_BEFORE = Bytes.wrap("closed.before".getBytes(StandardCharsets.US_ASCII));
    private static final int AMOUNT_BYTES = Double.BYTES;
    /** An entry with an outcome: its amount, the outcome state, the version that scored it. */
    private static final int OUTCOME_BYTES = AMOUNT_BYTES + 1 + Integer.BYTES;
    private static final byte RESOLVED = 0;
    private static final byte APPROVED = 1;
    private static final byte FLAGGED = 2;

    private final PackedEntityStore customers;
    private final KeyValueStore<Bytes, byte[]> window;
    private final ScorerMetrics metrics;
    private final String model;
    private final long windowMs;
    private long eventClockMs = Long.MIN_VALUE;
    private long closedBeforeMs;
    /**
     * Verdicts waiting for a label or their window's end (entries of this task's customers, at or after
     * {@link #closedBeforeMs}): by hour of event time, then model version, counts of approved [0] and flagged [1].
     */
    private final TreeMap<Long, Map<Integer, long[]>> waitingByHour = new TreeMap<>();

    public VerdictOutcomes(PackedEntityStore customers, KeyValueStore<Bytes, byte[]> window, ScorerMetrics metrics,
                           String model, long windowMs) {
        this.customers = customers;
        this.window = window;
        this.metrics = metrics;
        this.model = model;
        this.windowMs = windowMs;
        final byte[] stored = window.get(CLOSED_BEFORE);
        closedBeforeMs = stored == null ? Long.MIN_VALUE : ByteBuffer.wrap(stored).getLong();
    }

    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                        org.apache.kafka.common.serialization.Serdes.Bytes(),
                        org.apache.kafka.common.serialization.Serdes.ByteArray())
                .withLoggingEnabled(dev.fraudscorer.scorer.StoreChangelogs.configs());
    }

    /** Picks up the open windows of one customer's restored history (a task starting). */
    public void recover(String customer, EntityEvents events) {
        for (int i = 0; i < events.size(); i++) {
            final long t = EventKeys.timeOf(events.keyAt(i));
            final byte[] entry = events.valueAt(i);
            if (waiting(entry) && t >= closedBeforeMs) {
                waits(t, versionOf(entry), flaggedOf(entry), 1);
            }
        }
    }

    /**
     * Transaction ({@code eventTimeMs}, {@code transactionId}), already in {@code customer}'s history, got a verdict:
     * flagged means REVIEW or DECLINE. The caller flushes the history.
     */
    public void verdict(String customer, long eventTimeMs, String transactionId, int version, boolean flagged) {
        eventClockMs = Math.max(eventClockMs, eventTimeMs);
        final byte[] key = EntityHistory.transactionKey(customer, eventTimeMs, transactionId);
        final byte[] parked = EntityHistory.parkedLabelKey(key);
        final byte[] label = customers.get(parked);
        if (label != null) {
            customers.delete(parked);
            count(version, flagged, label[0] == 1, 1);
            final byte[] entry = customers.get(key);
            if (entry != null) {
                customers.put(key, outcome(entry, RESOLVED, version)); // so that scoring it again counts nothing
            }
        } else if (eventTimeMs < closedBeforeMs) {
            count(version, flagged, false, 1);
        } else {
            final byte[] entry = customers.get(key);
            if (entry != null && !resolved(entry)) { // resolved: scored before, and its label counted
                if (waiting(entry)) {
                    waits(eventTimeMs, versionOf(entry), flaggedOf(entry), -1); // scored again: this verdict replaces it
                }
                customers.put(key, outcome(entry, flagged ? FLAGGED : APPROVED, version));
                waits(eventTimeMs, version, flagged, 1);
            }
        }
        if (cutoff() > closedBeforeMs) {
            expire();
        }
    }

    /** A label arrived for {@code customer}'s transaction at {@code transactionTimeMs}. The caller flushes. */
    public void label(String customer, long transactionTimeMs, String transactionId, boolean fraud) {
        if (transactionTimeMs < closedBeforeMs) {
            return; // its window closed: the verdict counted as unlabelled
        }
        final byte[] key = EntityHistory.transactionKey(customer, transactionTimeMs, transactionId);
        final byte[] entry = customers.get(key);
        if (entry == null) {
            customers.put(EntityHistory.parkedLabelKey(key),
                    new byte[] {(byte) (fraud ? 1 : 0)});
        } else if (waiting(entry)) {
            final int version = versionOf(entry);
            final boolean flagged = flaggedOf(entry);
            count(version, flagged, fraud, 1);
            waits(transactionTimeMs, version, flagged, -1);
            customers.put(key, outcome(entry, RESOLVED, version));
        }
        // else: a transaction that was never scored, or a second label for one already counted
    }

    /**
     * Closes the label windows that ended before the latest event time seen, whole hours at a time: unlabelled
     * verdicts count as genuine.
     */
    public void expire() {
        final long cutoff = cutoff();
        if (cutoff <= closedBeforeMs) {
            return;
        }
        final Map<Long, Map<Integer, long[]>> closing = waitingByHour.headMap(Math.floorDiv(cutoff, STEP_MS), false);
        for (Map<Integer, long[]> byVersion : closing.values()) {
            byVersion.forEach((version, counts) -> {
                count(version, false, false, counts[0]);
                count(version, true, false, counts[1]);
            });
        }
        closing.clear();
        closedBeforeMs = cutoff;
        window.put(CLOSED_BEFORE, ByteBuffer.allocate(Long.BYTES).putLong(cutoff).array());
    }

    /** The hour boundary before which every window has ended, by the latest event time seen. */
    private long cutoff() {
        return eventClockMs == Long.MIN_VALUE ? Long.MIN_VALUE
                : Math.floorDiv(eventClockMs - windowMs, STEP_MS) * STEP_MS;
    }

    private void waits(long timeMs, int version, boolean flagged, long n) {
        final long[] counts = waitingByHour.computeIfAbsent(Math.floorDiv(timeMs, STEP_MS), h -> new HashMap<>(4))
                .computeIfAbsent(version, v -> new long[2]);
        counts[flagged ? 1 : 0] += n;
    }

    private static boolean waiting(byte[] entry) {
        return entry.length == OUTCOME_BYTES && entry[AMOUNT_BYTES] != RESOLVED;
    }

    /** The transaction's entry (its amount) with an outcome state and the version that scored it. */
    private static byte[] outcome(byte[] entry, byte state, int version) {
        return ByteBuffer.allocate(OUTCOME_BYTES).put(entry, 0, AMOUNT_BYTES).put(state)
                .putInt(version).array();
    }

    private static boolean resolved(byte[] entry) {
        return entry.length == OUTCOME_BYTES && entry[AMOUNT_BYTES] == RESOLVED;
    }

    private static int versionOf(byte[] entry) {
        return ByteBuffer.wrap(entry, AMOUNT_BYTES + 1, Integer.BYTES).getInt();
    }

    private static boolean flaggedOf(byte[] entry) {
        return entry[AMOUNT_BYTES] == FLAGGED;
    }

    private void count(int version, boolean flagged, boolean fraud, long n) {
        if (n > 0) {
            metrics.labelOutcome(model, version, flagged, fraud, n);
        }
    }

    /** The repartitioned label: what the join needs, without decoding Avro twice. */
    public static byte[] encodeLabel(long transactionTimeMs, String transactionId, boolean fraud) {
        final byte[] id = transactionId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + 1 + id.length).putLong(transactionTimeMs).put((byte) (fraud ? 1 : 0))
                .put(id).array();
    }

    /** A label as {@link #encodeLabel} wrote it, for the customer it was re-keyed to. */
    public void label(String customer, byte[] encoded) {
        final ByteBuffer b = ByteBuffer.wrap(encoded);
        final long time = b.getLong();
        final boolean fraud = b.get() == 1;
        label(customer, time, new String(encoded, b.position(), b.remaining(), StandardCharsets.UTF_8), fraud);
    }
}
