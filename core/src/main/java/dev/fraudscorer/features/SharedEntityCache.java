package dev.fraudscorer.features;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entities' events in memory, whole and sorted, for a store one thread writes and others read (the scorer's global
 * terminal store: the global thread writes, stream threads scan). Each entity is a snapshot never modified once
 * published; a write replaces it with a copy. Readers never lock.
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

    private final ConcurrentHashMap<String, EntityEvents> entities = new ConcurrentHashMap<>();
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

    private EntityEvents load(EventStore store, String entity) {
        // A loaded entity (nearly every read) costs a lock-free get: computeIfAbsent may lock its bin, and the size
        // check sums the map's counter cells, together a twentieth of the stream thread in JFR.
        final EntityEvents held = entities.get(entity);
        if (held != null) {
            return held;
        }
        final EntityEvents snapshot = entities.computeIfAbsent(entity, e -> {
            final EntityEvents loaded = new EntityEvents(16);
            store.scan(EventKeys.atTime(e, Long.MIN_VALUE), EventKeys.afterEntity(e), loaded::append);
            return loaded;
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
            entities.computeIfPresent(EntityHistory.entityOf(key), (e, s) -> {
                final EntityEvents next = s.copy();
                next.put(key, value);
                return next;
            });
        }

        @Override
        public void delete(byte[] key) {
            requireWritable();
            store.delete(key);
            entities.computeIfPresent(EntityHistory.entityOf(key), (e, s) -> {
                if (s.get(key) == null) {
                    return s;
                }
                final EntityEvents next = s.copy();
                next.remove(key);
                return next;
            });
        }

        @Override
        public void scan(byte[] from, byte[] to, Visitor visitor) {
            load(store, EntityHistory.entityOf(from)).scan(from, to, visitor);
        }

        @Override
        public void scanEvents(byte[] from, byte[] to, EventVisitor visitor) {
            load(store, EntityHistory.entityOf(from)).scanEvents(from, to, visitor);
        }

        private void requireWritable() {
            if (!writable) {
                throw new UnsupportedOperationException("this view of the cache is read-only");
            }
        }
    }
}
