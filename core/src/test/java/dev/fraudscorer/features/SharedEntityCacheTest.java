package dev.fraudscorer.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SharedEntityCacheTest {

    private static final long DAY = 24L * 3600 * 1000;

    /** A thread-safe sorted store, as RocksDB is to concurrent readers. */
    private static final class ConcurrentStore implements EventStore {
        final ConcurrentSkipListMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(java.util.Arrays::compareUnsigned);

        @Override
        public void put(byte[] key, byte[] value) {
            map.put(key, value);
        }

        @Override
        public void delete(byte[] key) {
            map.remove(key);
        }

        @Override
        public void scan(byte[] from, byte[] to, Visitor visitor) {
            map.subMap(from, true, to, false).forEach(visitor::visit);
        }
    }

    /**
     * One writer puts and evicts while two readers scan, loading entities and dropping them past the bound; once the
     * writer stops, every entity reads through the cache exactly as the store holds it.
     */
    @Test
    void readersSeeTheStoreAfterConcurrentWritesLoadsAndDrops() throws Exception {
        final ConcurrentStore store = new ConcurrentStore();
        final SharedEntityCache cache = new SharedEntityCache(5);
        final EventStore writer = cache.writeThrough(store);
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            final EventStore reader = cache.readThrough(store);
            final Random random = new Random(r);
            readers.add(new Thread(() -> {
                try {
                    while (writing.get()) {
                        final String entity = "t" + random.nextInt(12);
                        final long[] last = {Long.MIN_VALUE};
                        reader.scan(EventKeys.atTime(entity, Long.MIN_VALUE), EventKeys.afterEntity(entity), (k, v) -> {
                            // Sorted and of this entity, whatever the writer is doing.
                            assertTrue(EventKeys.timeOf(k) >= last[0]);
                            assertEquals(entity, EntityHistory.entityOf(k));
                            last[0] = EventKeys.timeOf(k);
                        });
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }));
        }
        readers.forEach(Thread::start);
        final Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            final String entity = "t" + random.nextInt(12);
            final long time = (i / 200) * DAY / 10 + random.nextInt(1000);
            final EntityHistory.Entry entry = random.nextInt(5) == 0
                    ? EntityHistory.label(entity, time, String.valueOf(i - 1), random.nextBoolean())
                    : EntityHistory.transaction(entity, new TxInput(String.valueOf(i), time, "c", entity, i % 300));
            EntityHistory.putAndEvict(writer, entry, 3);
        }
        writing.set(false);
        for (Thread t : readers) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(cache.loadedEntities() <= 6, "bounded: " + cache.loadedEntities());
        final EventStore reader = cache.readThrough(store);
        for (int e = 0; e < 12; e++) {
            final String entity = "t" + e;
            assertEquals(entries(store, entity), entries(reader, entity), entity);
        }
    }

    @Test
    void readersCannotWriteAndClearForgetsEverything() {
        final ConcurrentStore store = new ConcurrentStore();
        final SharedEntityCache cache = new SharedEntityCache(10);
        final EntityHistory.Entry entry = EntityHistory.transaction("t", new TxInput("1", DAY, "c", "t", 5));
        cache.writeThrough(store).put(entry.key(), entry.value());
        assertEquals(1, entries(cache.readThrough(store), "t").size());
        assertThrows(UnsupportedOperationException.class, () -> cache.readThrough(store).put(entry.key(), entry.value()));
        store.delete(entry.key()); // behind the cache's back, as a wipe is
        assertEquals(1, entries(cache.readThrough(store), "t").size(), "the snapshot answers until cleared");
        cache.clear();
        assertEquals(0, entries(cache.readThrough(store), "t").size());
    }

    private static List<String> entries(EventStore store, String entity) {
        final List<String> out = new ArrayList<>();
        store.scan(EventKeys.atTime(entity, Long.MIN_VALUE), EventKeys.afterEntity(entity), (k, v) ->
                out.add(java.util.HexFormat.of().formatHex(k) + "=" + java.util.HexFormat.of().formatHex(v)));
        return out;
    }
}
