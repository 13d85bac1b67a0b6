package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EventStore;
import java.util.Arrays;
import dev.fraudscorer.features.EntityEvents;

/**
 * The global terminal store read through this process's {@link RecentTerminalEntries}: one sorted view, an entry
 * in both visited once (the recent value wins). Read-only, as a global store is to stream threads.
 */
public final class OverlaidEventStore implements EventStore {

    private final EventStore store;
    private final RecentTerminalEntries recent;

    public OverlaidEventStore(EventStore store, RecentTerminalEntries recent) {
        this.store = store;
        this.recent = recent;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        throw new UnsupportedOperationException("terminal history is written through terminal-events");
    }

    @Override
    public void delete(byte[] key) {
        throw new UnsupportedOperationException("terminal history is written through terminal-events");
    }

    @Override
    public void scan(byte[] from, byte[] to, Visitor visitor) {
        final EntityEvents pending = recent.of(from);
        final int first = pending == null ? 0 : pending.lowerBound(from);
        final int end = pending == null ? 0 : pending.lowerBound(to);
        if (first >= end) {
            store.scan(from, to, visitor);
            return;
        }
        final int[] next = {first};
        store.scan(from, to, (key, value) -> {
            while (next[0] < end && Arrays.compareUnsigned(pending.keyAt(next[0]), key) < 0) {
                visitor.visit(pending.keyAt(next[0]), pending.valueAt(next[0]));
                next[0]++;
            }
            if (next[0] < end && Arrays.equals(pending.keyAt(next[0]), key)) {
                visitor.visit(key, pending.valueAt(next[0]));
                next[0]++;
            } else {
                visitor.visit(key, value);
            }
        });
        for (int i = next[0]; i < end; i++) {
            visitor.visit(pending.keyAt(i), pending.valueAt(i));
        }
    }

    @Override
    public void scanEvents(byte[] from, byte[] to, EventVisitor visitor) {
        final EntityEvents pending = recent.of(from);
        if (pending == null || pending.lowerBound(from) >= pending.lowerBound(to)) {
            store.scanEvents(from, to, visitor);
            return;
        }
        // Only entries the global thread has not stored yet: the decoding scan, merged.
        EventStore.super.scanEvents(from, to, visitor);
    }
}
