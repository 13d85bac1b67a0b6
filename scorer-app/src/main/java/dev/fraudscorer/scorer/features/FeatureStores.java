package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EntityHistory;
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
 * (the input is keyed by customer), changelogged and restored like any Streams store. Terminal history is a global
 * RocksDB store fed from {@link Topics#TERMINAL_EVENTS}: terminal features only read transactions at least a day
 * old (the feature spec's delay), so the sub-second lag of a global store costs nothing and the hot path needs no
 * repartition hop. The topic is the global store's changelog; a restart restores from it, from the offset the
 * store last committed, also after a {@code kill -9} ({@link CrashTolerantGlobalStore}).
 */
public final class FeatureStores {

    public static final String CUSTOMER_STORE = "customer-events";
    public static final String TERMINAL_STORE = "terminal-events";

    private FeatureStores() {
    }

    public static void addTo(StreamsBuilder builder, int terminalHistoryDays, TerminalHistory history) {
        // No record cache: every key is one event, written once and deleted once, so the cache never merges two
        // writes; it only cost a sorted-map insert per put and a second pass at each commit (JFR: about a tenth of
        // the stream thread). Reads come from the task's in-memory entity cache anyway.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CUSTOMER_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled()
                .withLoggingEnabled(dev.fraudscorer.scorer.StoreChangelogs.configs()));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(CrashTolerantGlobalStore.persistent(TERMINAL_STORE),
                        Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled(),
                Topics.TERMINAL_EVENTS.name(),
                Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName("terminal-events-source"),
                () -> new TerminalHistoryWriter(terminalHistoryDays, history));
    }

    /**
     * Puts each entry into the global store and evicts what no window can reach any more; progress markers move
     * the watermark the stream threads wait on.
     */
    private static final class TerminalHistoryWriter implements Processor<Bytes, byte[], Void, Void> {
        private final int retentionDays;
        private final TerminalHistory history;
        private ProcessorContext<Void, Void> context;
        private dev.fraudscorer.features.EventStore store;

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
