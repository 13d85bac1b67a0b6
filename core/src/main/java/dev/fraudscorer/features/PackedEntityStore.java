package dev.fraudscorer.features;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * An {@link EventStore} that keeps each entity's history as one packed value per day ({@link PackedHistory}) in a
 * backing key-value store, and recently used entities decoded in memory. Puts and deletes change memory and mark
 * the day dirty; {@link #flush} writes each dirty day once (a delete when it became empty). So a transaction costs
 * one small {@code put} for its day and, when retention evicts the oldest events, one rewrite of the oldest day,
 * where a row per event cost a put, a range scan and a tombstone per evicted event. Beyond {@code maxEntities} the
 * least recently used entities leave memory (their dirty days written first).
 *
 * <p>Correct only while every write to the backing store goes through this instance: the scorer makes one per task,
 * and a task alone writes its customer store; a revived or migrated task starts a new one. Scans must stay within
 * one entity, as the engine's do. Not thread-safe.
 */
public final class PackedEntityStore implements EventStore {

    /** Where packed rows live ({@link PackedHistory#rowKey}): the scorer's customer store. */
    public interface Backing {
        /** The values of the rows in {@code [from, to)}, in key order. */
        void range(byte[] from, byte[] to, Consumer<byte[]> value);

        void put(byte[] row, byte[] packed);

        void delete(byte[] row);
    }

    private final Backing backing;
    private final Map<String, EntityEvents> entities;
    /** Per entity, the days changed since the last flush (few: usually today and the oldest). */
    private final Map<String, long[]> dirty = new LinkedHashMap<>();
    /**
     * The entity the last operation touched, and its key prefix ({@code [u16 length][entity]}). One transaction
     * costs its customer about eight operations in a row (put, eviction scan, feature scans, the outcome's reads and
     * write, flush); comparing a key's prefix with this one spares each a decoded id and an access-ordered map
     * lookup (JFR: those lookups were a tenth of the stream thread).
     */
    private String lastEntity;
    private byte[] lastPrefix;
    private EntityEvents lastEvents;

    public PackedEntityStore(Backing backing, int maxEntities) {
        if (maxEntities < 1) {
            throw new IllegalArgumentException("maxEntities must be at least 1, got " + maxEntities);
        }
        this.backing = backing;
        this.entities = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EntityEvents> eldest) {
                if (size() <= maxEntities) {
                    return false;
                }
                if (eldest.getKey().equals(lastEntity)) {
                    forgetLast();
                }
                final long[] days = dirty.remove(eldest.getKey());
                if (days != null) {
                    write(eldest.getKey(), eldest.getValue(), days);
                }
                return true;
            }
        };
    }

    @Override
    public void put(byte[] key, byte[] value) {
        eventsOfKey(key).put(key, value);
        markDirty(lastEntity, PackedHistory.dayOf(key));
    }

    @Override
    public void delete(byte[] key) {
        if (eventsOfKey(key).remove(key)) {
            markDirty(lastEntity, PackedHistory.dayOf(key));
        }
    }

    @Override
    public void scan(byte[] from, byte[] to, Visitor visitor) {
        eventsOfKey(from).scan(from, to, visitor);
    }

    @Override
    public void scanEvents(byte[] from, byte[] to, EventVisitor visitor) {
        eventsOfKey(from).scanEvents(from, to, visitor);
    }

    /** The value held under {@code key}, or null. */
    public byte[] get(byte[] key) {
        return eventsOfKey(key).get(key);
    }

    /** The events of the entity {@code key} belongs to; afterwards {@link #lastEntity} is that entity. */
    private EntityEvents eventsOfKey(byte[] key) {
        final int prefix = EventKeys.timeOffset(key);
        final byte[] last = lastPrefix;
        if (last != null && last.length == prefix && Arrays.equals(key, 0, prefix, last, 0, prefix)) {
            return lastEvents;
        }
        return events(EntityHistory.entityOf(key));
    }

    /** {@code entity}'s events, loaded from the backing store the first time (read-only for callers). */
    public EntityEvents events(String entity) {
        if (entity.equals(lastEntity)) {
            return lastEvents;
        }
        EntityEvents events = entities.get(entity);
        if (events == null) {
            final EntityEvents loaded = new EntityEvents(16);
            backing.range(PackedHistory.firstRow(entity), PackedHistory.afterRows(entity),
                    packed -> PackedHistory.decodeInto(entity, packed, loaded));
            events = loaded;
            entities.put(entity, events); // may drop the least recently used, and forget the last one
        }
        final byte[] bound = EventKeys.atTime(entity, 0);
        lastPrefix = Arrays.copyOf(bound, EventKeys.timeOffset(bound));
        lastEntity = entity;
        lastEvents = events;
        return events;
    }

    private void forgetLast() {
        lastEntity = null;
        lastPrefix = null;
        lastEvents = null;
    }

    /** Holds {@code entity}'s already decoded events in memory, as a load would (used to warm a task up). */
    public void preload(String entity, EntityEvents events) {
        if (!entities.containsKey(entity)) {
            forgetLast(); // the put may drop the last entity from memory
            entities.put(entity, events);
        }
    }

    /** Writes every day changed since the last flush, one value (or delete) each. */
    public void flush() {
        for (Map.Entry<String, long[]> e : dirty.entrySet()) {
            write(e.getKey(), e.getKey().equals(lastEntity) ? lastEvents : entities.get(e.getKey()), e.getValue());
        }
        dirty.clear();
    }

    /** Entities held in memory now. */
    public int cachedEntities() {
        return entities.size();
    }

    private void markDirty(String entity, long day) {
        final long[] days = dirty.get(entity);
        if (days == null) {
            dirty.put(entity, new long[] {day});
        } else {
            for (long d : days) {
                if (d == day) {
                    return;
                }
            }
            final long[] more = Arrays.copyOf(days, days.length + 1);
            more[days.length] = day;
            dirty.put(entity, more);
        }
    }

    private void write(String entity, EntityEvents events, long[] days) {
        for (long day : days) {
            final int from = events.lowerBound(EventKeys.atTime(entity, day * PackedHistory.DAY_MS));
            final int to = events.lowerBound(EventKeys.atTime(entity, (day + 1) * PackedHistory.DAY_MS));
            final byte[] row = PackedHistory.rowKey(entity, day);
            if (from == to) {
                backing.delete(row);
            } else {
                backing.put(row, PackedHistory.encode(events, from, to));
            }
        }
    }

    /** Rows in a sorted map: the warm-up's and tests' backing. */
    public static final class InMemoryRows implements Backing {
        private final TreeMap<byte[], byte[]> rows = new TreeMap<>(Arrays::compareUnsigned);

        @Override
        public void range(byte[] from, byte[] to, Consumer<byte[]> value) {
            rows.subMap(from, true, to, false).values().forEach(value);
        }

        @Override
        public void put(byte[] row, byte[] packed) {
            rows.put(row, packed);
        }

        @Override
        public void delete(byte[] row) {
            rows.remove(row);
        }

        public int size() {
            return rows.size();
        }

        /** Every entity held, decoded (a task starting over these rows). */
        public void forEachEntity(BiConsumer<String, EntityEvents> visitor) {
            final Iterator<Map.Entry<byte[], byte[]>> it = rows.entrySet().iterator();
            PackedHistory.forEachEntity(it, visitor);
        }
    }
}
