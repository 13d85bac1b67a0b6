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
import java.util.PriorityQueue;
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
 * verdict is parked in the same history. Windows close in event-time order: the time before which every window is
 * closed is kept in a one-row store, written once per {@link #STEP_MS} of event time; an in-memory queue of the
 * customers with open windows, rebuilt from the customer rows when a task starts, says whose verdicts close next.
 */
public final class VerdictOutcomes {

    /** One row per task: the event time before which every label window is closed. */
    public static final String STORE = "verdict-outcome-window";
    /** How far in event time windows close at once (and the one-row store is written). */
    static final long STEP_MS = 3_600_000L;
    private static final Bytes CLOSED_BEFORE = Bytes.wrap("closed.before".getBytes(StandardCharsets.US_ASCII));
    private static final int AMOUNT_BYTES = Double.BYTES;
    private static final byte RESOLVED = 0;
    private static final byte APPROVED = 1;
    private static final byte FLAGGED = 2;

    private record Open(long timeMs, String customer) {
    }

    private final PackedEntityStore customers;
    private final KeyValueStore<Bytes, byte[]> window;
    private final ScorerMetrics metrics;
    private final String model;
    private final long windowMs;
    private long eventClockMs = Long.MIN_VALUE;
    private long closedBeforeMs;
    /** Per customer with an open window, its earliest; the queue may hold stale entries, skipped when they differ. */
    private final Map<String, Long> earliestOpen = new HashMap<>();
    private final PriorityQueue<Open> closing = new PriorityQueue<>((a, b) -> Long.compare(a.timeMs, b.timeMs));

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
            if (waiting(events.valueAt(i)) && t >= closedBeforeMs) {
                open(customer, t);
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
            count(version, flagged, label[0] == 1);
        } else if (eventTimeMs < closedBeforeMs) {
            count(version, flagged, false);
        } else {
            final byte[] entry = customers.get(key);
            if (entry != null) {
                customers.put(key, ByteBuffer.allocate(AMOUNT_BYTES + 1 + Integer.BYTES).put(entry, 0, AMOUNT_BYTES)
                        .put(flagged ? FLAGGED : APPROVED).putInt(version).array());
                open(customer, eventTimeMs);
            }
        }
        if (eventClockMs - windowMs >= closedBeforeMs + STEP_MS) {
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
            count(ByteBuffer.wrap(entry, AMOUNT_BYTES + 1, Integer.BYTES).getInt(), entry[AMOUNT_BYTES] == FLAGGED, fraud);
            final byte[] resolved = entry.clone();
            resolved[AMOUNT_BYTES] = RESOLVED;
            customers.put(key, resolved);
        }
        // else: a transaction that was never scored, or a second label for one already counted
    }

    /** Closes the label windows that ended before the latest event time seen: unlabelled verdicts count as genuine. */
    public void expire() {
        if (eventClockMs == Long.MIN_VALUE || eventClockMs - windowMs <= closedBeforeMs) {
            return;
        }
        final long cutoff = eventClockMs - windowMs;
        while (!closing.isEmpty() && closing.peek().timeMs() < cutoff) {
            final Open due = closing.poll();
            final Long earliest = earliestOpen.get(due.customer());
            if (earliest == null || earliest != due.timeMs()) {
                continue;
            }
            earliestOpen.remove(due.customer());
            final EntityEvents events = customers.events(due.customer());
            // In time order from the last cutoff: count what closes now, then requeue at the next open window.
            for (int i = events.lowerBound(EventKeys.atTime(due.customer(), closedBeforeMs)); i < events.size(); i++) {
                final byte[] entry = events.valueAt(i);
                if (!waiting(entry)) {
                    continue;
                }
                final long t = EventKeys.timeOf(events.keyAt(i));
                if (t >= cutoff) {
                    open(due.customer(), t);
                    break;
                }
                count(ByteBuffer.wrap(entry, AMOUNT_BYTES + 1, Integer.BYTES).getInt(),
                        entry[AMOUNT_BYTES] == FLAGGED, false);
            }
        }
        closedBeforeMs = cutoff;
        window.put(CLOSED_BEFORE, ByteBuffer.allocate(Long.BYTES).putLong(cutoff).array());
    }

    private void open(String customer, long timeMs) {
        final Long earliest = earliestOpen.get(customer);
        if (earliest == null || timeMs < earliest) {
            earliestOpen.put(customer, timeMs);
            closing.add(new Open(timeMs, customer));
        }
    }

    /** Customers with a verdict waiting for its label or its window's end. */
    public int openCustomers() {
        return earliestOpen.size();
    }

    private static boolean waiting(byte[] entry) {
        return entry.length == AMOUNT_BYTES + 1 + Integer.BYTES && entry[AMOUNT_BYTES] != RESOLVED;
    }

    private void count(int version, boolean flagged, boolean fraud) {
        metrics.labelOutcome(model, version, flagged, fraud);
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
