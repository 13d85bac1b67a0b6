package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EventStore;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

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
        final Iterator<Map.Entry<byte[], byte[]>> pending = recent.range(from, to).entrySet().iterator();
        if (!pending.hasNext()) {
            store.scan(from, to, visitor);
            return;
        }
        final Cursor cursor = new Cursor(pending);
        store.scan(from, to, (key, value) -> {
            while (cursor.next != null && Arrays.compareUnsigned(cursor.next.getKey(), key) < 0) {
                visitor.visit(cursor.next.getKey(), cursor.next.getValue());
                cursor.advance();
            }
            if (cursor.next != null && Arrays.equals(cursor.next.getKey(), key)) {
                visitor.visit(key, cursor.next.getValue());
                cursor.advance();
            } else {
                visitor.visit(key, value);
            }
        });
        while (cursor.next != null) {
            visitor.visit(cursor.next.getKey(), cursor.next.getValue());
            cursor.advance();
        }
    }

    @Override
    public void scanEvents(byte[] from, byte[] to, EventVisitor visitor) {
        final Iterator<Map.Entry<byte[], byte[]>> pending = recent.range(from, to).entrySet().iterator();
        if (!pending.hasNext()) {
            store.scanEvents(from, to, visitor);
            return;
        }
        // Rare on the hot path (only entries the global thread has not stored yet): the decoding scan, merged.
        EventStore.super.scanEvents(from, to, visitor);
    }

    private static final class Cursor {
        private final Iterator<Map.Entry<byte[], byte[]>> it;
        Map.Entry<byte[], byte[]> next;

        Cursor(Iterator<Map.Entry<byte[], byte[]>> it) {
            this.it = it;
            advance();
        }

        void advance() {
            next = it.hasNext() ? it.next() : null;
        }
    }
}
