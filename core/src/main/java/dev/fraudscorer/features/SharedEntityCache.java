package dev.fraudscorer.features;

import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entities' events in memory, whole and sorted, for a store one thread writes and others read (the scorer's global
 * terminal store: the global thread writes, stream threads scan). Each entity is an immutable snapshot; a write
 * replaces it with a copy. Readers never lock.
 *
 * <p>Why it stays equal to the store: every write goes to the store first and then to the snapshot, if one is
 * loaded; a snapshot is loaded inside {@link ConcurrentHashMap#computeIfAbsent}, which the write's
 * {@link ConcurrentHashMap#computeIfPresent} waits for. So a write either happened before the load's scan (and is in
 * it) or updates the loaded snapshot after. This holds only if every write to the store goes through
 * {@link #writeThrough}, and {@link #clear} is called whenever the store is wiped (its writer's {@code init}).
 *
 * <p>Bounded: past {@code maxEntities} loaded entities, some are dropped (not the least recently used: any), to be
 * loaded again when next read.
 */
public final class SharedEntityCache {

    private final ConcurrentHashMap<String, Snapshot> entities = new ConcurrentHashMap<>();
    private final int maxEntities;

    public SharedEntityCache(int maxEntities) {
        if (maxEntities < 1) {
            throw new IllegalArgumentException("maxEntities must be at least 1, got " + maxEntities);
        }
        this.maxEntities = maxEntities;
    }

    /** The writer's view: puts and deletes go to {@code store}, then to any loaded snapshot; scans read memory. */
    public EventStore writeThrough(EventStore store) {
        return new View(store, true);
    }

    /** A reader's view: scans read memory, loading an entity from {@code store} the first time; no writes. */
    public EventStore readThrough(EventStore store) {
        return new View(store, false);
    }

    /** Forgets every snapshot: the store was wiped or replaced underneath. */
    public void clear() {
        entities.clear();
    }

    public int loadedEntities() {
        return entities.size();
    }

    private Snapshot load(EventStore store, String entity) {
        final Snapshot snapshot = entities.computeIfAbsent(entity, e -> {
            final Snapshot.Builder builder = new Snapshot.Builder();
            store.scan(EventKeys.atTime(e, Long.MIN_VALUE), EventKeys.afterEntity(e), builder::append);
            return builder.build();
        });
        if (entities.size() > maxEntities) {
            shrink();
        }
        return snapshot;
    }

    private void shrink() {
        final Iterator<String> it = entities.keySet().iterator();
        while (entities.size() > maxEntities * 9L / 10 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private final class View implements EventStore {
        private final EventStore store;
        private final boolean writable;

        View(EventStore store, boolean writable) {
            this.store = store;
            this.writable = writable;
        }

        @Override
        public void put(byte[] key, byte[] value) {
            requireWritable();
            store.put(key, value);
            entities.computeIfPresent(EntityHistory.entityOf(key), (e, s) -> s.with(key, value));
        }

        @Override
        public void delete(byte[] key) {
            requireWritable();
            store.delete(key);
            entities.computeIfPresent(EntityHistory.entityOf(key), (e, s) -> s.without(key));
        }

        @Override
        public void scan(byte[] from, byte[] to, Visitor visitor) {
            final Snapshot s = load(store, EntityHistory.entityOf(from));
            final int end = s.lowerBound(to);
            for (int i = s.lowerBound(from); i < end; i++) {
                visitor.visit(s.keys[i], s.values[i]);
            }
        }

        private void requireWritable() {
            if (!writable) {
                throw new UnsupportedOperationException("this view of the cache is read-only");
            }
        }
    }

    /** One entity's entries in unsigned key order, with each key's event time; never modified once built. */
    private static final class Snapshot {
        final byte[][] keys;
        final byte[][] values;
        final long[] times;

        Snapshot(byte[][] keys, byte[][] values, long[] times) {
            this.keys = keys;
            this.values = values;
            this.times = times;
        }

        int lowerBound(byte[] key) {
            return SortedKeys.lowerBound(keys, times, keys.length, key);
        }

        Snapshot with(byte[] key, byte[] value) {
            final int at = lowerBound(key);
            if (at < keys.length && Arrays.equals(keys[at], key)) {
                final byte[][] v = values.clone();
                v[at] = value;
                return new Snapshot(keys, v, times);
            }
            final byte[][] k = new byte[keys.length + 1][];
            final byte[][] v = new byte[keys.length + 1][];
            final long[] t = new long[keys.length + 1];
            System.arraycopy(keys, 0, k, 0, at);
            System.arraycopy(values, 0, v, 0, at);
            System.arraycopy(times, 0, t, 0, at);
            k[at] = key;
            v[at] = value;
            t[at] = EventKeys.timeOf(key);
            System.arraycopy(keys, at, k, at + 1, keys.length - at);
            System.arraycopy(values, at, v, at + 1, keys.length - at);
            System.arraycopy(times, at, t, at + 1, keys.length - at);
            return new Snapshot(k, v, t);
        }

        Snapshot without(byte[] key) {
            final int at = lowerBound(key);
            if (at >= keys.length || !Arrays.equals(keys[at], key)) {
                return this;
            }
            final byte[][] k = new byte[keys.length - 1][];
            final byte[][] v = new byte[keys.length - 1][];
            final long[] t = new long[keys.length - 1];
            System.arraycopy(keys, 0, k, 0, at);
            System.arraycopy(values, 0, v, 0, at);
            System.arraycopy(times, 0, t, 0, at);
            System.arraycopy(keys, at + 1, k, at, keys.length - at - 1);
            System.arraycopy(values, at + 1, v, at, keys.length - at - 1);
            System.arraycopy(times, at + 1, t, at, keys.length - at - 1);
            return new Snapshot(k, v, t);
        }

        static final class Builder {
            private byte[][] keys = new byte[16][];
            private byte[][] values = new byte[16][];
            private long[] times = new long[16];
            private int size;

            void append(byte[] key, byte[] value) {
                if (size == keys.length) {
                    keys = Arrays.copyOf(keys, size * 2);
                    values = Arrays.copyOf(values, size * 2);
                    times = Arrays.copyOf(times, size * 2);
                }
                keys[size] = key;
                values[size] = value;
                times[size] = EventKeys.timeOf(key);
                size++;
            }

            Snapshot build() {
                return new Snapshot(Arrays.copyOf(keys, size), Arrays.copyOf(values, size), Arrays.copyOf(times, size));
            }
        }
    }
}
