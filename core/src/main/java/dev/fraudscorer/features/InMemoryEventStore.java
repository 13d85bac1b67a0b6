package dev.fraudscorer.features;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The trainer's event store: a sorted map with the same key order as RocksDB's. */
public final class InMemoryEventStore implements EventStore {

    private final TreeMap<byte[], byte[]> map = new TreeMap<>(Arrays::compareUnsigned);

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
        for (Map.Entry<byte[], byte[]> e : map.subMap(from, true, to, false).entrySet()) {
            visitor.visit(e.getKey(), e.getValue());
        }
    }

    public int size() {
        return map.size();
    }
}
