package dev.fraudscorer.scorer.verdict;

import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Joins verdicts with fraud-labels in event time, for live precision and recall per model version. Each verdict waits
 * in a store keyed (event time, transaction id) until its label arrives (tp / fn) or its label window closes without
 * one (fp / tn): labels come days late, and in this domain mostly only for frauds. A label that arrives before its
 * verdict waits the same way. Both sides are on the customer's partition (labels are re-keyed), so this is a store
 * lookup, not a distributed join.
 */
public final class VerdictOutcomes {

    public static final String STORE = "verdict-outcomes";
    private static final byte VERDICT = 1;
    private static final byte LABEL = 2;

    private final KeyValueStore<Bytes, byte[]> store;
    private final ScorerMetrics metrics;
    private final String model;
    private final long windowMs;
    private long eventClockMs = Long.MIN_VALUE;

    public VerdictOutcomes(KeyValueStore<Bytes, byte[]> store, ScorerMetrics metrics, String model, long windowMs) {
        this.store = store;
        this.metrics = metrics;
        this.model = model;
        this.windowMs = windowMs;
    }

    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), org.apache.kafka.common.serialization.Serdes.Bytes(),
                org.apache.kafka.common.serialization.Serdes.ByteArray())
                .withLoggingEnabled(dev.fraudscorer.scorer.StoreChangelogs.configs());
    }

    /** A verdict was produced: flagged means REVIEW or DECLINE. */
    public void verdict(long eventTimeMs, String transactionId, int version, boolean flagged) {
        eventClockMs = Math.max(eventClockMs, eventTimeMs);
        final Bytes key = key(eventTimeMs, transactionId);
        final byte[] waiting = store.get(key);
        if (waiting != null && waiting[0] == LABEL) {
            store.delete(key);
            count(version, flagged, waiting[1] == 1);
            return;
        }
        store.put(key, ByteBuffer.allocate(6).put(VERDICT).put((byte) (flagged ? 1 : 0)).putInt(version).array());
    }

    /** A label arrived for the transaction at {@code transactionTimeMs}. */
    public void label(long transactionTimeMs, String transactionId, boolean fraud) {
        final Bytes key = key(transactionTimeMs, transactionId);
        final byte[] waiting = store.get(key);
        if (waiting != null && waiting[0] == VERDICT) {
            store.delete(key);
            count(ByteBuffer.wrap(waiting, 2, 4).getInt(), waiting[1] == 1, fraud);
            return;
        }
        store.put(key, new byte[] {LABEL, (byte) (fraud ? 1 : 0)});
    }

    /** Closes label windows that ended before the latest event time seen: unlabelled verdicts count as genuine. */
    public void expire() {
        if (eventClockMs == Long.MIN_VALUE) {
            return;
        }
        final Bytes to = Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(flip(eventClockMs - windowMs)).array());
        final java.util.List<Bytes> done = new java.util.ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.range(null, to)) {
            while (it.hasNext()) {
                final var entry = it.next();
                if (entry.value[0] == VERDICT) {
                    count(ByteBuffer.wrap(entry.value, 2, 4).getInt(), entry.value[1] == 1, false);
                }
                done.add(entry.key);
            }
        }
        done.forEach(store::delete);
    }

    private void count(int version, boolean flagged, boolean fraud) {
        metrics.labelOutcome(model, version, fraud ? (flagged ? "tp" : "fn") : (flagged ? "fp" : "tn"));
    }

    private static Bytes key(long eventTimeMs, String transactionId) {
        final byte[] id = transactionId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(flip(eventTimeMs)).put(id).array());
    }

    /** Sign bit flipped so that byte order is time order, negative times included. */
    private static long flip(long ms) {
        return ms ^ Long.MIN_VALUE;
    }

    /** The repartitioned label: what the join needs, without decoding Avro twice. */
    public static byte[] encodeLabel(long transactionTimeMs, String transactionId, boolean fraud) {
        final byte[] id = transactionId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + 1 + id.length).putLong(transactionTimeMs).put((byte) (fraud ? 1 : 0))
                .put(id).array();
    }

    public void label(byte[] encoded) {
        final ByteBuffer b = ByteBuffer.wrap(encoded);
        final long time = b.getLong();
        final boolean fraud = b.get() == 1;
        label(time, new String(encoded, b.position(), b.remaining(), StandardCharsets.UTF_8), fraud);
    }
}
