package dev.fraudscorer.features;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link EventStore} in front of another that keeps recently used entities' events in memory, whole and sorted:
 * scans read memory, puts and deletes write through. An entity is loaded with one scan of the backing store the
 * first time a scan touches it; beyond {@code maxEntities} the least recently used are dropped from memory (never
 * from the store). The scorer's per-record range scans over RocksDB (the eviction scan and the feature scan, each an
 * iterator over the record cache and RocksDB) were its largest measured cost; with this they are array walks.
 *
 * <p>Correct only while every write to the backing store for these entities goes through this instance: the scorer
 * makes one per task, and a task alone writes its customer store; a revived or migrated task starts a new one.
 * Scans must stay within one entity, as the engine's do. Not thread-safe.
 */
public final class EntityCachingEventStore implements EventStore {

    private final EventStore backing;
    private final Map<String, Events> entities;

    public EntityCachingEventStore(EventStore backing, int maxEntities) {
        if (maxEntities < 1) {
            throw new IllegalArgumentException("maxEntities must be at least 1, got " + maxEntities);
        }
        this.backing = backing;
        this.entities = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Events> eldest) {
                return size() > maxEntities;
            }
        };
    }

    @Override
    public void put(byte[] key, byte[] value) {
        backing.put(key, value);
        final Events events = entities.get(EntityHistory.entityOf(key));
        if (events != null) {
            events.put(key, value);
        }
    }

    @Override
    public void delete(byte[] key) {
        backing.delete(key);
        final Events events = entities.get(EntityHistory.entityOf(key));
        if (events != null) {
            events.remove(key);
        }
    }

    @Override
    public void scan(byte[] from, byte[] to, Visitor visitor) {
        final String entity = EntityHistory.entityOf(from);
        Events events = entities.get(entity);
        if (events == null) {
            events = new Events();
            final Events loading = events;
            backing.scan(EventKeys.atTime(entity, Long.MIN_VALUE), EventKeys.afterEntity(entity), loading::append);
            entities.put(entity, events);
        }
        final int end = events.lowerBound(to);
        for (int i = events.lowerBound(from); i < end; i++) {
            visitor.visit(events.keys[i], events.values[i]);
        }
    }

    /** Entities held in memory now. */
    public int cachedEntities() {
        return entities.size();
    }

    /** One entity's entries in unsigned key order, in parallel arrays with each key's event time. */
    private static final class Events {
        byte[][] keys = new byte[8][];
        byte[][] values = new byte[8][];
        long[] times = new long[8];
        int size;

        void append(byte[] key, byte[] value) {
            grow();
            keys[size] = key;
            values[size] = value;
            times[size] = EventKeys.timeOf(key);
            size++;
        }

        void put(byte[] key, byte[] value) {
            final int at = lowerBound(key);
            if (at < size && Arrays.equals(keys[at], key)) {
                values[at] = value;
                return;
            }
            grow();
            System.arraycopy(keys, at, keys, at + 1, size - at);
            System.arraycopy(values, at, values, at + 1, size - at);
            System.arraycopy(times, at, times, at + 1, size - at);
            keys[at] = key;
            values[at] = value;
            times[at] = EventKeys.timeOf(key);
            size++;
        }

        void remove(byte[] key) {
            final int at = lowerBound(key);
            if (at < size && Arrays.equals(keys[at], key)) {
                System.arraycopy(keys, at + 1, keys, at, size - at - 1);
                System.arraycopy(values, at + 1, values, at, size - at - 1);
                System.arraycopy(times, at + 1, times, at, size - at - 1);
                size--;
                keys[size] = null;
                values[size] = null;
            }
        }

        int lowerBound(byte[] key) {
            return SortedKeys.lowerBound(keys, times, size, key);
        }

        private void grow() {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
                times = Arrays.copyOf(times, size * 2);
            }
        }
    }
}
