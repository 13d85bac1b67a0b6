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

    /**
     * {@link #scan} with each entry already decoded, which is what the feature engine reads. Stores that keep
     * entities in memory answer it from primitive arrays, without touching the key and value objects (a feature scan
     * over those was memory-bound); the default decodes as it goes.
     */
    default void scanEvents(byte[] from, byte[] to, EventVisitor visitor) {
        scan(from, to, (key, value) -> visitor.visit(key, EventKeys.timeOf(key), EventKeys.kindOf(key),
                EntityHistory.numberOf(key, value)));
    }

    @FunctionalInterface
    interface Visitor {
        void visit(byte[] key, byte[] value);
    }

    /** One decoded entry: its key (to read only when the numbers do not suffice), time, kind and number. */
    @FunctionalInterface
    interface EventVisitor {
        /**
         * @param number a transaction's amount; 1 for a label that says fraud, 0 for any other label
         */
        void visit(byte[] key, long timeMs, byte kind, double number);
    }
}
