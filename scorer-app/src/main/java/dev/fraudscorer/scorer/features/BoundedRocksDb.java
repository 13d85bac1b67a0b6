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
 * {@link #BLOCK_CACHE_BYTES} whatever the number of tasks: Kafka Streams' default gives each store its own 50 MB
 * block cache and up to three 16 MB memtables. Memtables are charged to the cache, and index and filter blocks live
 * in it. The hot path reads history from memory ({@code EntityCachingEventStore}, {@code SharedEntityCache}), so
 * RocksDB's own cache matters mostly for restores and outcome lookups.
 *
 * <p>The terminal store gets a small memtable: Kafka Streams runs RocksDB without a write-ahead log and keeps the
 * store's committed source offsets in the store itself, so what survives a {@code kill -9} is the last memtable
 * flush, data and offsets together. With the default 16 MB memtable a whole day of this dataset's terminal history
 * can sit unflushed, and a restart re-reads it from the topic (measured: 190k records, 5 s, on the demo's state). A
 * 1 MB memtable flushes every ~15k entries, which bounds that re-read.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    static final long BLOCK_CACHE_BYTES = 128L * 1024 * 1024;
    static final long WRITE_BUFFERS_BYTES = 32L * 1024 * 1024;
    static final long TERMINAL_WRITE_BUFFER_BYTES = 1024 * 1024;

    // Shared by every store of the process, so never closed by one of them.
    private static final Cache CACHE = new LRUCache(BLOCK_CACHE_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(WRITE_BUFFERS_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(WRITE_BUFFERS);
        if (FeatureStores.TERMINAL_STORE.equals(storeName)) {
            options.setWriteBufferSize(TERMINAL_WRITE_BUFFER_BYTES);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write-buffer manager are shared: closing them here would break the other stores
    }
}
