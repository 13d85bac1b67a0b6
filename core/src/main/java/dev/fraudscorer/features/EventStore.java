package dev.fraudscorer.features;

/**
 * A sorted byte-keyed store of entity events: the only thing the feature engine needs from state. The trainer backs
 * it with a {@link InMemoryEventStore}; the scorer with Kafka Streams stores (RocksDB, changelogged).
 */
public interface EventStore {

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /** Visits the entries with {@code from <= key < to}, in unsigned byte order. */
    void scan(byte[] from, byte[] to, Visitor visitor);

    @FunctionalInterface
    interface Visitor {
        void visit(byte[] key, byte[] value);
    }
}
