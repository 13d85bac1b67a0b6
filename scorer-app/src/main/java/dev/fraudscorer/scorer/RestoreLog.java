package dev.fraudscorer.scorer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every state restoration (global stores and task stores) with its record count and duration, so an
 * operator can see where a start-up or a recovery spends its time.
 */
final class RestoreLog implements StateRestoreListener {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreLog.class);

    private final Map<String, Long> started = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        started.put(store + "/" + partition, System.nanoTime());
        LOG.info("restoring {} from {} offsets {}..{}", store, partition, startingOffset, endingOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        // per batch is too chatty; the end says it all
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        final Long t0 = started.remove(store + "/" + partition);
        LOG.info("restored {} from {}: {} records in {} ms", store, partition, totalRestored,
                t0 == null ? -1 : (System.nanoTime() - t0) / 1_000_000);
    }
}
