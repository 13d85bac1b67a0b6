package dev.fraudscorer.features;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and evicts entity events. A transaction entry holds its amount; a label entry (terminals only) holds the
 * fraud flag and sits next to its transaction's entry. Writing the same entry twice is a no-op, so a replayed
 * input record does not count twice.
 */
public final class EntityHistory {

    static final long DAY_MS = 24L * 3600 * 1000;

    /** A key and value to put into an {@link EventStore}, or to carry on a topic to one. */
    public record Entry(byte[] key, byte[] value) {
    }

    private EntityHistory() {
    }

    public static Entry transaction(String entity, TxInput tx) {
        return new Entry(EventKeys.event(entity, tx.eventTimeMs(), tx.transactionId(), EventKeys.TRANSACTION),
                ByteBuffer.allocate(Double.BYTES).putDouble(tx.amount()).array());
    }

    /** The key of transaction {@code transactionId}'s entry in {@code entity}'s history. */
    public static byte[] transactionKey(String entity, long timeMs, String transactionId) {
        return EventKeys.event(entity, timeMs, transactionId, EventKeys.TRANSACTION);
    }

    /**
     * The key of a label parked in its customer's history, right after its transaction's entry, until the verdict it
     * belongs to arrives (the scorer's outcome join). The engine reads no entry of this kind, so parking a label
     * changes no feature; retention evicts it like any entry.
     */
    public static byte[] parkedLabelKey(byte[] transactionKey) {
        final byte[] parked = transactionKey.clone();
        parked[parked.length - 1] = EventKeys.PARKED_LABEL;
        return parked;
    }

    public static Entry label(String terminalId, long transactionTimeMs, String transactionId, boolean fraud) {
        return new Entry(EventKeys.event(terminalId, transactionTimeMs, transactionId, EventKeys.LABEL),
                new byte[] {(byte) (fraud ? 1 : 0)});
    }

    /** What the engine reads from an entry: a transaction's amount; 1 for a fraud label, 0 for another label. */
    static double numberOf(byte[] key, byte[] value) {
        if (EventKeys.kindOf(key) == EventKeys.TRANSACTION) {
            return ByteBuffer.wrap(value).getDouble();
        }
        return value.length == 1 && value[0] == 1 ? 1 : 0;
    }

    /** The entity id of an entry's key. */
    public static String entityOf(byte[] key) {
        return new String(key, 2, EventKeys.timeOffset(key) - 2, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Puts {@code entry} and deletes the entity's events older than {@code retentionDays} before the entry's time,
     * so state stays bounded by what the largest window needs.
     */
    public static void putAndEvict(EventStore store, Entry entry, int retentionDays) {
        store.put(entry.key(), entry.value());
        final String entity = entityOf(entry.key());
        final long cutoff = EventKeys.timeOf(entry.key()) - retentionDays * DAY_MS;
        final List<byte[]> old = new ArrayList<>();
        store.scan(EventKeys.atTime(entity, Long.MIN_VALUE), EventKeys.atTime(entity, cutoff), (k, v) -> old.add(k));
        old.forEach(store::delete);
    }
}
