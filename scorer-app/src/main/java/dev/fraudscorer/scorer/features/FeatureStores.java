package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EntityEvents;
import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.features.EventStore;
import dev.fraudscorer.features.PackedEntityStore;
import dev.fraudscorer.features.PackedHistory;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import dev.fraudscorer.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The feature state of the scorer. Customer history is a local RocksDB store on the hot path's own partitioning
 * (the input is keyed by customer), a packed row per customer and day, changelogged and restored like any Streams store. Terminal history is a global
 * RocksDB store fed from {@link Topics#TERMINAL_EVENTS}: terminal features only read transactions at least a day
 * old (the feature spec's delay), so the sub-second lag of a global store costs nothing and the hot path needs no
 * repartition hop. The topic is the global store's changelog; a restart restores from it, from the offset the
 * store last committed, also after a {@code kill -9} ({@link CrashTolerantGlobalStore}).
 */
public final class FeatureStores {

    /** A row per customer and day: its recent history packed ({@link PackedHistory}). */
    public static final String CUSTOMER_STORE = "customer-history";
    public static final String TERMINAL_STORE = "terminal-events";

    private FeatureStores() {
    }

    public static void addTo(StreamsBuilder builder, int terminalHistoryDays, TerminalHistory history) {
        // No record cache: reads come from the task's decoded entities (PackedEntityStore), so the cache would only
        // add a sorted-map insert per put. RocksDB gets a commit interval's rows as one batch (BatchedWritesStore).
        builder.addStateStore(Stores.keyValueStoreBuilder(
                BatchedWritesStore.supplier(Stores.persistentKeyValueStore(CUSTOMER_STORE)),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled()
                .withLoggingEnabled(dev.fraudscorer.scorer.StoreChangelogs.configs()));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(CrashTolerantGlobalStore.persistent(TERMINAL_STORE),
                        Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled(),
                Topics.TERMINAL_EVENTS.name(),
                Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("terminal-events-source"),
                () -> new TerminalHistoryWriter(terminalHistoryDays, history));
    }

    /** The customer store as the feature engine's {@link EventStore}: a packed row per customer and day. */
    public static PackedEntityStore customerHistory(KeyValueStore<Bytes, byte[]> store, int cachedCustomers) {
        return new PackedEntityStore(new PackedEntityStore.Backing() {
            @Override
            public void range(byte[] from, byte[] to, Consumer<byte[]> value) {
                // The upper bound is longer than any row key, so the store's inclusive range is [from, to) here.
                try (KeyValueIterator<Bytes, byte[]> it = store.range(Bytes.wrap(from), Bytes.wrap(to))) {
                    while (it.hasNext()) {
                        value.accept(it.next().value);
                    }
                }
            }

            @Override
            public void put(byte[] row, byte[] packed) {
                store.put(Bytes.wrap(row), packed);
            }

            @Override
            public void delete(byte[] row) {
                store.delete(Bytes.wrap(row));
            }
        }, cachedCustomers);
    }

    /** Every customer of {@code store}, its rows decoded: what a task's outcome join rebuilds itself from at start. */
    public static void forEachCustomer(KeyValueStore<Bytes, byte[]> store, BiConsumer<String, EntityEvents> visitor) {
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            PackedHistory.forEachEntity(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<byte[], byte[]> next() {
                    final KeyValue<Bytes, byte[]> row = it.next();
                    return Map.entry(row.key.get(), row.value);
                }
            }, visitor);
        }
    }

    /**
     * Puts each entry into the global store and evicts what no window can reach any more; progress markers move
     * the watermark the stream threads wait on.
     */
    private static final class TerminalHistoryWriter implements Processor<Bytes, byte[], Void, Void> {
        private final int retentionDays;
        private final TerminalHistory history;
        private ProcessorContext<Void, Void> context;
        private EventStore store;

        TerminalHistoryWriter(int retentionDays, TerminalHistory history) {
            this.retentionDays = retentionDays;
            this.history = history;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            final KeyValueStore<Bytes, byte[]> kv = context.getStateStore(TERMINAL_STORE);
            // A writer is initialised when the store is opened, restored (Streams re-processes the topic through a
            // new writer) or wiped and rebuilt: what the cache held may no longer be in the store.
            history.cache().clear();
            store = history.cache().writeThrough(KeyValueEventStore.writable(kv));
        }

        @Override
        public void process(Record<Bytes, byte[]> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            final TerminalProgress marker = TerminalProgress.decode(record.key().get(), record.value());
            if (marker != null) {
                context.recordMetadata().ifPresent(m -> history.watermark().observe(m.partition(), marker, record.timestamp()));
                return;
            }
            if (record.key().get().length < 2 + Long.BYTES) {
                return;
            }
            EntityHistory.putAndEvict(store, new EntityHistory.Entry(record.key().get(), record.value()), retentionDays);
            history.recent().stored(record.key().get(), record.value());
        }
    }
}
