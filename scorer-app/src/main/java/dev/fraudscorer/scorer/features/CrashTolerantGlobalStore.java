package dev.fraudscorer.scorer.features;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A persistent (RocksDB) global store that reopens after an unclean stop ({@code kill -9}, OOM kill) instead of
 * crash-looping.
 *
 * <p>Why: under exactly-once, Kafka Streams 4.3.1 refuses a RocksDB store that was open when the process died
 * ({@code TaskCorruptedException: ... didn't find a valid state, since under EOS ...}). Stream tasks wipe and restore
 * such a store; the global thread does not (KAFKA-21034), so every restart with the same state dir dies the same way.
 *
 * <p>Why reopening is safe for a global store: it has no changelog of its own; it holds what the global consumer
 * read ({@code read_committed} under EOS, so never aborted data) up to the offset committed into the store, and on
 * restart Streams re-reads its source from that offset. RocksDB runs without a WAL and with atomic flush here, so
 * after a crash the data and the committed offset are those of the same flush; anything read after it is read again.
 * The writer puts each entry under a key that names it, so reading a record twice stores the same thing. The
 * exactly-once check guards stores whose writes are not such re-reads; for this one it only turns a fast restart
 * (from the last flush) into an endless crash loop.
 *
 * <p>How: the RocksDB store decides on that check from {@code processing.guarantee} in the context it is
 * initialised with; this wrapper hands it a view of the context that says {@code at_least_once}, and nothing else
 * changes. Kafka Streams internals (the wrapper base class, the check) are pinned with the Kafka version; a restart
 * after {@code kill -9} is tested with the real process ({@code ScorerCrashRecoveryIT}).
 */
public final class CrashTolerantGlobalStore {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CrashTolerantGlobalStore.class);

    private CrashTolerantGlobalStore() {
    }

    /** A persistent key-value store supplier whose stores reopen after an unclean stop. */
    public static KeyValueBytesStoreSupplier persistent(String name) {
        return new LayeredStoreSupplier(Stores.persistentKeyValueStore(name), Reopening::new);
    }

    /**
     * Delegates everything; {@link #init} hands the inner store an at-least-once view of the context, and writes
     * record the source offsets they came from in the store once a second. Kafka Streams 4.3 commits a global
     * store's offsets only after 10,000 processed records and not after a restore, so after a restart that itself
     * restored, or a quiet spell, a {@code kill -9} made the next start re-read everything since the last busy moment
     * (measured: 190k records, 5 s, on the demo's state). The offset recorded is that of the record being written,
     * which is re-read after a crash: reading it twice stores the same thing. Streams runs RocksDB without a
     * write-ahead log, so a commit only survives a crash once its memtable is flushed: each commit is followed by
     * a (non-blocking, atomic across column families) flush, so after a crash at most about a second of writes is
     * read again. The flush reaches the RocksDB handle by reflection, pinned with the Kafka version; if that ever
     * fails it is logged once and restarts only re-read more.
     */
    private static final class Reopening extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
            implements KeyValueStore<Bytes, byte[]> {

        private static final long COMMIT_EVERY_MS = 1_000;

        private final Map<TopicPartition, Long> readFrom = new HashMap<>();
        private StateStoreContext context;
        private long lastCommitMs;
        private TopicPartition last;
        private final MemtableFlusher flusher = new MemtableFlusher(this::wrapped);

        Reopening(KeyValueStore<Bytes, byte[]> inner) {
            super(inner);
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            this.context = context;
            wrapped().init(atLeastOnceView(context), root);
        }

        /** Called after every put and delete (several per record): no allocation unless the partition changed. */
        private void wrote() {
            context.recordMetadata().ifPresent(m -> {
                if (last == null || last.partition() != m.partition() || !last.topic().equals(m.topic())) {
                    last = new TopicPartition(m.topic(), m.partition());
                }
                readFrom.put(last, m.offset());
            });
            final long now = System.currentTimeMillis();
            if (now - lastCommitMs >= COMMIT_EVERY_MS && !readFrom.isEmpty()) {
                wrapped().commit(readFrom);
                flusher.flush();
                lastCommitMs = now;
            }
        }

        @Override
        public void put(Bytes key, byte[] value) {
            wrapped().put(key, value);
            wrote();
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            final byte[] previous = wrapped().putIfAbsent(key, value);
            wrote();
            return previous;
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            wrapped().putAll(entries);
            wrote();
        }

        @Override
        public byte[] delete(Bytes key) {
            final byte[] previous = wrapped().delete(key);
            wrote();
            return previous;
        }

        @Override
        public byte[] get(Bytes key) {
            return wrapped().get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return wrapped().range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return wrapped().reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return wrapped().all();
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return wrapped().reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
            return wrapped().prefixScan(prefix, serializer);
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }
    }

    /**
     * Flushes the inner RocksDB store's memtables, all column families at once (the data and the offsets Streams
     * keeps beside it: flushing only the default one would persist data but not the offsets), found by reflection on
     * first use.
     */
    private static final class MemtableFlusher {
        private final java.util.function.Supplier<StateStore> store;
        private org.rocksdb.RocksDB db;
        private List<org.rocksdb.ColumnFamilyHandle> families;
        private org.rocksdb.FlushOptions options;
        private boolean failed;

        MemtableFlusher(java.util.function.Supplier<StateStore> store) {
            this.store = store;
        }

        void flush() {
            if (failed) {
                return;
            }
            try {
                if (db == null) {
                    db = findDb(store.get());
                    families = columnFamilies(db);
                    options = new org.rocksdb.FlushOptions().setWaitForFlush(false);
                }
                db.flush(options, families);
            } catch (ReflectiveOperationException | RuntimeException | org.rocksdb.RocksDBException e) {
                failed = true;
                LOG.warn("cannot flush the global store's memtables ({}); after a crash a restart re-reads more of"
                        + " its topic", e.toString());
            }
        }

        @SuppressWarnings("unchecked")
        private static List<org.rocksdb.ColumnFamilyHandle> columnFamilies(org.rocksdb.RocksDB db)
                throws ReflectiveOperationException {
            final java.lang.reflect.Field f = org.rocksdb.RocksDB.class.getDeclaredField("ownedColumnFamilyHandles");
            f.setAccessible(true);
            final List<org.rocksdb.ColumnFamilyHandle> handles = List.copyOf((List<org.rocksdb.ColumnFamilyHandle>) f.get(db));
            if (handles.size() < 2) {
                throw new NoSuchFieldException("expected the data and offsets column families, found " + handles.size());
            }
            return handles;
        }

        private static org.rocksdb.RocksDB findDb(StateStore store) throws ReflectiveOperationException {
            for (Class<?> c = store.getClass(); c != null; c = c.getSuperclass()) {
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (f.getType() == org.rocksdb.RocksDB.class) {
                        f.setAccessible(true);
                        final Object db = f.get(store);
                        if (db != null) {
                            return (org.rocksdb.RocksDB) db;
                        }
                    }
                }
            }
            throw new NoSuchFieldException("no open RocksDB in " + store.getClass().getName());
        }
    }

    /**
     * The same context (every interface its class implements, so the store's internal casts still hold) with
     * {@code processing.guarantee=at_least_once} in {@code appConfigs()}.
     */
    static StateStoreContext atLeastOnceView(StateStoreContext context) {
        final Map<String, Object> configs = new HashMap<>(context.appConfigs());
        configs.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        final Map<String, Object> view = java.util.Collections.unmodifiableMap(configs);
        final InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("appConfigs") && method.getParameterCount() == 0) {
                return view;
            }
            try {
                return method.invoke(context, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (StateStoreContext) Proxy.newProxyInstance(CrashTolerantGlobalStore.class.getClassLoader(),
                interfacesOf(context.getClass()), handler);
    }

    private static Class<?>[] interfacesOf(Class<?> type) {
        final Set<Class<?>> all = new LinkedHashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            collect(c, all);
        }
        return all.toArray(Class<?>[]::new);
    }

    private static void collect(Class<?> type, Set<Class<?>> into) {
        for (Class<?> i : type.getInterfaces()) {
            if (into.add(i)) {
                collect(i, into);
            }
        }
    }
}
