package dev.fraudscorer.features;

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
    private final Map<String, EntityEvents> entities;

    public EntityCachingEventStore(EventStore backing, int maxEntities) {
        if (maxEntities < 1) {
            throw new IllegalArgumentException("maxEntities must be at least 1, got " + maxEntities);
        }
        this.backing = backing;
        this.entities = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EntityEvents> eldest) {
                return size() > maxEntities;
            }
        };
    }

    @Override
    public void put(byte[] key, byte[] value) {
        backing.put(key, value);
        final EntityEvents events = entities.get(EntityHistory.entityOf(key));
        if (events != null) {
            events.put(key, value);
        }
    }

    @Override
    public void delete(byte[] key) {
        backing.delete(key);
        final EntityEvents events = entities.get(EntityHistory.entityOf(key));
        if (events != null) {
            events.remove(key);
        }
    }

    @Override
    public void scan(byte[] from, byte[] to, Visitor visitor) {
        entity(from).scan(from, to, visitor);
    }

    @Override
    public void scanEvents(byte[] from, byte[] to, EventVisitor visitor) {
        entity(from).scanEvents(from, to, visitor);
    }

    private EntityEvents entity(byte[] from) {
        final String entity = EntityHistory.entityOf(from);
        EntityEvents events = entities.get(entity);
        if (events == null) {
            final EntityEvents loading = new EntityEvents(16);
            backing.scan(EventKeys.atTime(entity, Long.MIN_VALUE), EventKeys.afterEntity(entity), loading::append);
            entities.put(entity, loading);
            events = loading;
        }
        return events;
    }

    /** Entities held in memory now. */
    public int cachedEntities() {
        return entities.size();
    }
}
