package dev.fraudscorer.features;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An entity's recent history as one value per event-time day: the scorer keeps a customer's events as a row per
 * (customer, day) instead of a row per event read back by range scans. A transaction rewrites only its own day's
 * small value; evicting a day's last event deletes that row. One value for the whole history was tried first and
 * not kept: each put then wrote the customer's entire history to the changelog, and the producer's and broker's
 * cost per byte ate what the fewer records saved.
 *
 * <p>Row key: {@code [u16 entity length][entity UTF-8][day, sign-flipped big-endian long]}, so an entity's rows are
 * contiguous and in day order. Value: {@code [format 1][count int]}, then per entry {@code [u16 n][the key's n bytes
 * after the entity prefix][u8 m][the value's m bytes]}; the prefix is the same for every entry, so the row key holds
 * it once.
 */
public final class PackedHistory {

    public static final long DAY_MS = 24L * 3600 * 1000;
    private static final byte FORMAT = 1;
    private static final int DAY_BYTES = Long.BYTES;

    private PackedHistory() {
    }

    /** The event-time day an entry's key falls in. */
    public static long dayOf(byte[] key) {
        return Math.floorDiv(EventKeys.timeOf(key), DAY_MS);
    }

    /** The row holding {@code entity}'s entries of {@code day}. */
    public static byte[] rowKey(String entity, long day) {
        final byte[] prefix = prefix(entity);
        return ByteBuffer.allocate(prefix.length + DAY_BYTES).put(prefix).putLong(day ^ Long.MIN_VALUE).array();
    }

    /** The first possible row of {@code entity}. */
    public static byte[] firstRow(String entity) {
        return prefix(entity);
    }

    /** A bound after every row of {@code entity} and before any other entity's. */
    public static byte[] afterRows(String entity) {
        final byte[] prefix = prefix(entity);
        final byte[] bound = java.util.Arrays.copyOf(prefix, prefix.length + DAY_BYTES + 1);
        java.util.Arrays.fill(bound, prefix.length, bound.length, (byte) 0xFF);
        return bound;
    }

    /** The entity of a row key. */
    public static String entityOfRow(byte[] row) {
        return new String(row, 2, row.length - 2 - DAY_BYTES, StandardCharsets.UTF_8);
    }

    /** Packs entries {@code [from, to)} of {@code events} (all of one day). */
    public static byte[] encode(EntityEvents events, int from, int to) {
        int size = 1 + Integer.BYTES;
        for (int i = from; i < to; i++) {
            final byte[] key = events.keyAt(i);
            size += 2 + key.length - EventKeys.timeOffset(key) + 1 + events.valueAt(i).length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).put(FORMAT).putInt(to - from);
        for (int i = from; i < to; i++) {
            final byte[] key = events.keyAt(i);
            final int tail = EventKeys.timeOffset(key);
            final byte[] value = events.valueAt(i);
            if (value.length > 0xFF) {
                throw new IllegalArgumentException("entry value longer than 255 bytes");
            }
            out.putShort((short) (key.length - tail)).put(key, tail, key.length - tail)
                    .put((byte) value.length).put(value);
        }
        return out.array();
    }

    /** Appends the entries of one row of {@code entity}; rows must come in key (day) order. */
    public static void decodeInto(String entity, byte[] packed, EntityEvents events) {
        decodeInto(entity, prefix(entity), packed, events);
    }

    /**
     * Every entity of an iteration over rows in key order, with its rows decoded into one {@link EntityEvents}: what
     * a task starting rebuilds its in-memory state from.
     */
    public static void forEachEntity(Iterator<Map.Entry<byte[], byte[]>> rows, BiConsumer<String, EntityEvents> visitor) {
        String entity = null;
        byte[] prefix = null;
        EntityEvents events = null;
        while (rows.hasNext()) {
            final Map.Entry<byte[], byte[]> row = rows.next();
            final String of = entityOfRow(row.getKey());
            if (!of.equals(entity)) {
                if (entity != null) {
                    visitor.accept(entity, events);
                }
                entity = of;
                prefix = prefix(of);
                events = new EntityEvents(16);
            }
            decodeInto(entity, prefix, row.getValue(), events);
        }
        if (entity != null) {
            visitor.accept(entity, events);
        }
    }

    private static void decodeInto(String entity, byte[] prefix, byte[] packed, EntityEvents events) {
        final ByteBuffer in = ByteBuffer.wrap(packed);
        final byte format = in.get();
        if (format != FORMAT) {
            throw new IllegalStateException("packed history of " + entity + " has format " + format + ", expected "
                    + FORMAT + " (state written by another version: reset the application's state)");
        }
        final int count = in.getInt();
        for (int i = 0; i < count; i++) {
            final int n = Short.toUnsignedInt(in.getShort());
            final byte[] key = new byte[prefix.length + n];
            System.arraycopy(prefix, 0, key, 0, prefix.length);
            in.get(key, prefix.length, n);
            final byte[] value = new byte[Byte.toUnsignedInt(in.get())];
            in.get(value);
            events.append(key, value);
        }
    }

    /** {@code [u16 length][entity UTF-8]}: what every key and row of the entity starts with. */
    private static byte[] prefix(String entity) {
        final byte[] id = entity.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + id.length).putShort((short) id.length).put(id).array();
    }
}
