package dev.fraudscorer.scorer.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchedWritesStoreTest {

    private KeyValueStore<Bytes, byte[]> inner;
    private BatchedWritesStore store;

    @BeforeEach
    void open() {
        inner = Stores.inMemoryKeyValueStore("rows").get();
        store = new BatchedWritesStore(inner);
        store.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void writesReachTheStoreUnderneathAtCommitLastValueWinning() {
        store.put(key("a"), value("1"));
        store.put(key("a"), value("2"));
        store.put(key("b"), value("3"));
        assertNull(inner.get(key("a")), "held until the commit");
        assertArrayEquals(value("2"), store.get(key("a")), "but read back at once");
        assertEquals(2, store.pendingRows());

        store.commit(Map.of());

        assertEquals(0, store.pendingRows());
        assertArrayEquals(value("2"), inner.get(key("a")));
        assertArrayEquals(value("3"), inner.get(key("b")));
    }

    @Test
    void deleteRemovesAtCommitReturningOnlyAPendingOldValue() {
        store.put(key("a"), value("1"));
        store.commit(Map.of());
        store.put(key("b"), value("2"));

        assertNull(store.delete(key("a")), "no read of the store underneath on delete");
        assertArrayEquals(value("2"), store.delete(key("b")));
        assertNull(store.get(key("a")));
        assertNull(store.delete(key("c")));
        assertArrayEquals(value("1"), inner.get(key("a")), "the delete too waits for the commit");

        store.commit(Map.of());

        assertNull(inner.get(key("a")));
        assertNull(inner.get(key("b")));
        assertEquals(0, inner.approximateNumEntries());
    }

    @Test
    void aScanSeesPendingRowsInKeyOrder() {
        store.put(key("b"), value("2"));
        store.commit(Map.of());
        store.put(key("a"), value("1"));
        store.put(key("c"), value("3"));
        store.delete(key("b"));

        final List<String> seen = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.range(key("a"), key("z"))) {
            it.forEachRemaining(kv -> seen.add(text(kv.key.get()) + "=" + text(kv.value)));
        }
        assertEquals(List.of("a=1", "c=3"), seen);
        assertEquals(0, store.pendingRows());
    }

    @Test
    void putIfAbsentAndPutAllGoThroughTheSamePendingRows() {
        assertNull(store.putIfAbsent(key("a"), value("1")));
        assertArrayEquals(value("1"), store.putIfAbsent(key("a"), value("2")));
        store.putAll(List.of(KeyValue.pair(key("b"), value("3")), KeyValue.pair(key("a"), null)));
        assertNull(store.get(key("a")));
        store.commit(Map.of());
        assertNull(inner.get(key("a")));
        assertArrayEquals(value("3"), inner.get(key("b")));
    }

    @Test
    void aLongCommitIntervalWritesOutEarlyAtTheBound() {
        for (int i = 0; i < BatchedWritesStore.MAX_PENDING_ROWS; i++) {
            store.put(key("k" + i), value("v"));
        }
        assertEquals(0, store.pendingRows());
        assertEquals(BatchedWritesStore.MAX_PENDING_ROWS, inner.approximateNumEntries());
    }

    @Test
    void closeDropsWhatWasNotCommitted() {
        // The store underneath, with every call it gets recorded: a close must not write the pending rows out.
        final List<String> calls = new ArrayList<>();
        final KeyValueStore<Bytes, byte[]> rows = Stores.inMemoryKeyValueStore("recorded").get();
        @SuppressWarnings("unchecked")
        final KeyValueStore<Bytes, byte[]> recorded = (KeyValueStore<Bytes, byte[]>) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    return method.invoke(rows, args);
                });
        final BatchedWritesStore layer = new BatchedWritesStore(recorded);
        layer.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), layer);
        layer.put(key("a"), value("1"));
        layer.close();
        assertEquals(0, layer.pendingRows());
        assertTrue(calls.contains("close"), calls.toString());
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("put") || c.equals("delete")), calls.toString());
    }

    private static Bytes key(String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
