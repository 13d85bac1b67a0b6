package dev.fraudscorer.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedEntityStoreTest {

    private static final long DAY = 24L * 3600 * 1000;

    /**
     * Random puts, deletes, flushes and scans over a few entities: the packed store always answers as a row-per-event
     * store does, and what it flushed reads back the same through a new instance (a restarted task).
     */
    @Test
    void answersExactlyAsTheBackingStoreUnderRandomUse() {
        final Random random = new Random(42);
        final InMemoryEventStore reference = new InMemoryEventStore();
        final PackedEntityStore.InMemoryRows backing = new PackedEntityStore.InMemoryRows();
        // Three entities in memory of seven in use: entities keep being dropped (written when dirty) and reloaded.
        final PackedEntityStore cached = new PackedEntityStore(backing, 3);
        final List<byte[]> written = new ArrayList<>();
        String entity = "e0";
        for (int step = 0; step < 20_000; step++) {
            // Runs of one entity, as a transaction's operations come: the store's last-entity shortcut is hit, and
            // left when another entity's load drops it from memory.
            if (random.nextInt(3) == 0) {
                entity = "e" + random.nextInt(7);
            }
            final int op = random.nextInt(10);
            if (random.nextInt(5) == 0) {
                cached.flush();
            }
            if (op < 5) {
                final long time = random.nextInt(60) * DAY + random.nextInt(1000);
                final String id = random.nextBoolean() ? String.valueOf(random.nextInt(100_000)) : "x" + random.nextInt(50);
                final EntityHistory.Entry entry = random.nextInt(4) == 0
                        ? EntityHistory.label(entity, time, id, random.nextBoolean())
                        : EntityHistory.transaction(entity, new TxInput(id, time, entity, entity, random.nextInt(500)));
                reference.put(entry.key(), entry.value());
                cached.put(entry.key(), entry.value());
                written.add(entry.key());
            } else if (op < 7 && !written.isEmpty()) {
                final byte[] key = written.get(random.nextInt(written.size()));
                reference.delete(key);
                cached.delete(key);
            } else {
                final long a = random.nextInt(62) * DAY - DAY;
                final long b = a + random.nextInt(40) * DAY;
                assertEquals(entries(reference, entity, a, b), entries(cached, entity, a, b), "step " + step);
                if (!written.isEmpty()) {
                    // A bound right after one transaction's entries, at a millisecond that holds others too.
                    final byte[] some = written.get(random.nextInt(written.size()));
                    final long t = EventKeys.timeOf(some);
                    final String id = random.nextBoolean() ? String.valueOf(random.nextInt(100_000)) : "x" + random.nextInt(50);
                    final byte[] to = EventKeys.afterTransaction(entity, t, id);
                    assertEquals(entries(reference, EventKeys.atTime(entity, t - DAY), to),
                            entries(cached, EventKeys.atTime(entity, t - DAY), to), "step " + step);
                }
            }
        }
        assertTrue(cached.cachedEntities() <= 3);
        cached.flush();
        final PackedEntityStore restarted = new PackedEntityStore(backing, 7);
        for (int e = 0; e < 7; e++) {
            assertEquals(entries(reference, "e" + e, Long.MIN_VALUE, Long.MAX_VALUE - 1),
                    entries(restarted, "e" + e, Long.MIN_VALUE, Long.MAX_VALUE - 1), "the store itself holds the same");
        }
        final java.util.Map<String, Integer> counted = new java.util.HashMap<>();
        backing.forEachEntity((id, events) -> counted.put(id, events.size()));
        for (int e = 0; e < 7; e++) {
            assertEquals(entries(reference, "e" + e, Long.MIN_VALUE, Long.MAX_VALUE - 1).size(),
                    counted.getOrDefault("e" + e, 0), "a task start decodes every entity whole");
        }
    }

    @Test
    void aDayEmptiedByEvictionLeavesNoRow() {
        final PackedEntityStore.InMemoryRows backing = new PackedEntityStore.InMemoryRows();
        final PackedEntityStore store = new PackedEntityStore(backing, 10);
        for (int day = 0; day < 40; day++) {
            EntityHistory.putAndEvict(store,
                    EntityHistory.transaction("c", new TxInput(String.valueOf(day), day * DAY + 5, "c", "t", 1)), 35);
            store.flush();
        }
        // Day 39's transaction keeps what is at most 35 days older (days 4..39, day 4's at exactly 35 days):
        // one row per kept day, none for the evicted days 0..3.
        assertEquals(36, backing.size());
    }

    @Test
    void afterEntityBoundsEveryKeyOfTheEntityAndNoOther() {
        final byte[] last = EntityHistory.transaction("c1", new TxInput("x" + "z".repeat(40), Long.MAX_VALUE - 1, "c1", "t",
                1)).key();
        assertTrue(java.util.Arrays.compareUnsigned(last, EventKeys.afterEntity("c1")) < 0);
        final byte[] next = EventKeys.atTime("c2", Long.MIN_VALUE);
        assertTrue(java.util.Arrays.compareUnsigned(EventKeys.afterEntity("c1"), next) < 0);
    }

    private static List<String> entries(EventStore store, String entity, long from, long to) {
        return entries(store, EventKeys.atTime(entity, from), EventKeys.atTime(entity, to));
    }

    private static List<String> entries(EventStore store, byte[] from, byte[] to) {
        final List<String> out = new ArrayList<>();
        store.scan(from, to, (k, v) ->
                out.add(java.util.HexFormat.of().formatHex(k) + "=" + java.util.HexFormat.of().formatHex(v)));
        return out;
    }
}
