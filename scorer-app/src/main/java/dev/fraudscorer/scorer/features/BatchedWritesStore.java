package dev.fraudscorer.scorer.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A layer under the changelogging store that keeps the rows written since the last commit in memory and writes them
 * to RocksDB as one {@code WriteBatch} when Kafka Streams commits the store, or earlier once {@value #MAX_PENDING_ROWS}
 * are pending. A row written twice in a commit interval reaches RocksDB once.
 *
 * <p>Why: each {@code put} into RocksDB through JNI cost about 4 us on this machine (perf, "eighth session" in the
 * README), a fifth of the stream thread, while a batch costs less per row. The customer store is written on every
 * record but read only when a customer is not in the task's memory ({@code PackedEntityStore}).
 *
 * <p>Why nothing is lost: the changelogging layer above this one still sends every row at once, and Streams calls
 * {@link #commit} on the store before it commits the task's input offsets (and its transaction), so what RocksDB holds
 * at every commit is what it would hold without this layer. Between commits RocksDB was never durable anyway (Streams
 * runs it without a write-ahead log): after a crash the store is restored from the changelog, from the offsets it
 * committed. Pending rows are dropped on {@link #close} and {@link #init}: a clean close commits first, and a dirty one
 * is followed by a restore from the changelog. Reads see pending rows: {@link #get} looks at them first; a scan writes
 * them out first (scans are rare: a customer read back after it left memory, and a task's start).
 */
public final class BatchedWritesStore extends WrappedStateStore<KeyValueStore<Bytes, byte[]>, Bytes, byte[]>
        implements KeyValueStore<Bytes, byte[]> {

    /** Bounds the heap a long commit interval can hold (rows are ~150 bytes here). */
    static final int MAX_PENDING_ROWS = 10_000;

    /**
     * Rows since the last write-out; a null value is a delete. In key order: RocksDB's memtable (a skip list)
     * remembers where its last insert went and starts the next search there, so a batch in key order inserts
     * faster than the same rows in arrival order.
     */
    private final TreeMap<Bytes, byte[]> pending = new TreeMap<>();

    BatchedWritesStore(KeyValueStore<Bytes, byte[]> inner) {
        super(inner);
    }

    /** {@code inner}'s stores under this layer, with its name and metrics scope. */
    public static KeyValueBytesStoreSupplier supplier(KeyValueBytesStoreSupplier inner) {
        return new LayeredStoreSupplier(inner, BatchedWritesStore::new);
    }

    /** Rows written here and not yet in the store underneath. */
    int pendingRows() {
        return pending.size();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        super.init(context, root);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writePending();
        super.commit(changelogOffsets);
    }

    @Override
    public void flush() {
        writePending();
        wrapped().flush();
    }

    @Override
    public void close() {
        pending.clear();
        super.close();
    }

    @Override
    public void put(Bytes key, byte[] value) {
        pending.put(key, value);
        if (pending.size() >= MAX_PENDING_ROWS) {
            writePending();
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        final byte[] previous = get(key);
        if (previous == null) {
            put(key, value);
        }
        return previous;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> entry : entries) {
            put(entry.key, entry.value);
        }
    }

    /**
     * Returns the old value only while it is pending, else null without reading the store underneath: RocksDB's own
     * delete reads the old value first, a read from files per evicted day, and the only writer of this store
     * (the customer history) never looks at it. Not a general-purpose store for that reason.
     */
    @Override
    public byte[] delete(Bytes key) {
        final byte[] previous = pending.get(key);
        put(key, null);
        return previous;
    }

    @Override
    public byte[] get(Bytes key) {
        if (pending.containsKey(key)) {
            return pending.get(key);
        }
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        writePending();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        writePending();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        writePending();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        writePending();
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        writePending();
        return wrapped().prefixScan(prefix, serializer);
    }

    @Override
    public long approximateNumEntries() {
        writePending();
        return wrapped().approximateNumEntries();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
        writePending();
        return super.query(query, bound, config);
    }


    private void writePending() {
        if (pending.isEmpty()) {
            return;
        }
        final List<KeyValue<Bytes, byte[]>> rows = new ArrayList<>(pending.size());
        for (Map.Entry<Bytes, byte[]> row : pending.entrySet()) {
            rows.add(KeyValue.pair(row.getKey(), row.getValue()));
        }
        // The store underneath writes a list as one WriteBatch (a null value as a delete).
        wrapped().putAll(rows);
        pending.clear();
    }
}
