package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EventStore;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The feature engine's {@link EventStore} over a Kafka Streams key-value store. {@code Bytes} keys order as unsigned
 * bytes, as RocksDB and the engine's in-memory store do. A global store is read-only to stream threads.
 */
public final class KeyValueEventStore implements EventStore {

    private final ReadOnlyKeyValueStore<Bytes, byte[]> reader;
    private final KeyValueStore<Bytes, byte[]> writer;

    private KeyValueEventStore(ReadOnlyKeyValueStore<Bytes, byte[]> reader, KeyValueStore<Bytes, byte[]> writer) {
        this.reader = reader;
        this.writer = writer;
    }

    public static KeyValueEventStore writable(KeyValueStore<Bytes, byte[]> store) {
        return new KeyValueEventStore(store, store);
    }

    public static KeyValueEventStore readOnly(ReadOnlyKeyValueStore<Bytes, byte[]> store) {
        return new KeyValueEventStore(store, null);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        writable().put(Bytes.wrap(key), value);
    }

    @Override
    public void delete(byte[] key) {
        writable().delete(Bytes.wrap(key));
    }

    @Override
    public void scan(byte[] from, byte[] to, Visitor visitor) {
        // Kafka's range is inclusive at both ends; the engine's upper bound is exclusive.
        try (KeyValueIterator<Bytes, byte[]> it = reader.range(Bytes.wrap(from), Bytes.wrap(to))) {
            while (it.hasNext()) {
                final KeyValue<Bytes, byte[]> kv = it.next();
                if (!Arrays.equals(kv.key.get(), to)) {
                    visitor.visit(kv.key.get(), kv.value);
                }
            }
        }
    }

    private KeyValueStore<Bytes, byte[]> writable() {
        if (writer == null) {
            throw new UnsupportedOperationException("this event store is read-only here");
        }
        return writer;
    }
}
