package dev.fraudscorer.scorer.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.features.EventKeys;
import dev.fraudscorer.features.InMemoryEventStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlaidEventStoreTest {

    private static EntityHistory.Entry label(long t, String tx, boolean fraud) {
        return EntityHistory.label("T1", t, tx, fraud);
    }

    private static List<String> scan(OverlaidEventStore store) {
        final List<String> seen = new ArrayList<>();
        store.scan(EventKeys.atTime("T1", 0), EventKeys.atTime("T1", 1_000), (k, v) ->
                seen.add(EventKeys.timeOf(k) + ":" + v[0]));
        // The engine's decoded scan sees the same entries (a label's number is 1 for fraud).
        final List<String> decoded = new ArrayList<>();
        store.scanEvents(EventKeys.atTime("T1", 0), EventKeys.atTime("T1", 1_000), (k, t, kind, number) ->
                decoded.add(t + ":" + (int) number));
        assertEquals(seen, decoded);
        return seen;
    }

    @Test
    void readsRecentEntriesMergedInKeyOrderUntilTheStoreHasThem() {
        final InMemoryEventStore global = new InMemoryEventStore();
        final RecentTerminalEntries recent = new RecentTerminalEntries();
        final OverlaidEventStore store = new OverlaidEventStore(global, recent);
        global.put(label(10, "1", true).key(), label(10, "1", true).value());
        global.put(label(30, "3", true).key(), label(30, "3", true).value());
        recent.add("w", label(5, "0", false));
        recent.add("w", label(20, "2", true));
        recent.add("w", label(30, "3", false));
        recent.add("w", label(40, "4", true));
        assertEquals(List.of("5:0", "10:1", "20:1", "30:0", "40:1"), scan(store), "recent wins on the same key");
        assertEquals(true, recent.isLocal("w"));

        // The global thread stores the old value of 30 again (a replay): the newer recent one stays.
        recent.stored(label(30, "3", true).key(), label(30, "3", true).value());
        assertEquals(4, recent.size());
        for (EntityHistory.Entry e : List.of(label(5, "0", false), label(20, "2", true), label(30, "3", false),
                label(40, "4", true))) {
            global.put(e.key(), e.value());
            recent.stored(e.key(), e.value());
        }
        assertEquals(0, recent.size(), "stored entries leave the overlay");
        assertEquals(List.of("5:0", "10:1", "20:1", "30:0", "40:1"), scan(store));
    }
}
