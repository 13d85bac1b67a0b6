package dev.fraudscorer.scorer.features;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB settings for every store of the scorer.
 *
 * <p>Memory: one block cache and one write-buffer budget shared by all stores of the process (customer history and
 * label outcomes per task, their standby copies, the global terminal history), so off-heap memory is bounded by
 * {@code rocksdb.memory.bytes} (default 128 MB) whatever the number of tasks: Kafka Streams' default gives each store
 * its own 50 MB block cache and up to three 16 MB memtables. Memtables (up to a quarter of the budget) are charged to
 * the cache, and index and filter blocks live in it. The cache fills as state grows and then stays at its cap: a part
 * of the process's RSS that grows in its first minutes under load and is bounded by this setting. The hot path reads
 * history from memory ({@code PackedEntityStore}, {@code SharedEntityCache}), so RocksDB's own cache matters
 * mostly for restores and outcome lookups.
 *
 * <p>The terminal store gets a small memtable: Kafka Streams runs RocksDB without a write-ahead log and keeps the
 * store's committed source offsets in the store itself, so what survives a {@code kill -9} is the last memtable
 * flush, data and offsets together. With the default 16 MB memtable a whole day of this dataset's terminal history
 * can sit unflushed, and a restart re-reads it from the topic (measured: 190k records, 5 s, on the demo's state). A
 * 1 MB memtable flushes every ~15k entries, which bounds that re-read.
 *
 * <p>The customer store gets a 1 MB memtable too, for speed: each insert walks the memtable's skip list and waits on
 * memory at every hop (perf: one load instruction held most of RocksDB's samples). A small memtable keeps that list
 * short and warm: with the customer rows written as sorted batches ({@code BatchedWritesStore}) RocksDB's write cost
 * 0.63 us per record against 1.37 with the default 16 MB (one benchmark run each, "ninth session" in the README).
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    /** The key under which {@code ScorerConfig} passes the budget through Kafka Streams' properties. */
    public static final String MEMORY_BYTES = "fraud.rocksdb.memory.bytes";
    public static final long DEFAULT_MEMORY_BYTES = 128L * 1024 * 1024;
    static final long SMALL_WRITE_BUFFER_BYTES = 1024 * 1024;

    // Shared by every store of the process, so never closed by one of them; made by the first store opened, with the
    // budget of the first Kafka Streams client of the process.
    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    private static synchronized void share(long bytes) {
        if (cache == null) {
            cache = new LRUCache(bytes, -1, false, 0.1);
            writeBuffers = new WriteBufferManager(bytes / 4, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        final Object budget = configs.get(MEMORY_BYTES);
        share(budget == null ? DEFAULT_MEMORY_BYTES : Long.parseLong(budget.toString()));
        final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(writeBuffers);
        if (FeatureStores.TERMINAL_STORE.equals(storeName) || FeatureStores.CUSTOMER_STORE.equals(storeName)) {
            options.setWriteBufferSize(SMALL_WRITE_BUFFER_BYTES);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write-buffer manager are shared: closing them here would break the other stores
    }
}
