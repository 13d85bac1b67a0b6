package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScorerConfigTest {

    @TempDir
    Path dir;

    @Test
    void theRecoverySettingsReachKafkaStreams() {
        final ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.STATE_DIR, dir.toString(),
                ScorerConfig.INSTANCE_ID, "scorer-a"));
        final Map<String, Object> props = config.streamsProperties();
        assertEquals("scorer-a", props.get(StreamsConfig.mainConsumerPrefix("group.instance.id")));
        assertEquals(6_000, props.get(StreamsConfig.mainConsumerPrefix("session.timeout.ms")));
        assertEquals(1, props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertEquals(ScorerConfig.TRANSACTION_TIMEOUT_MS, props.get(StreamsConfig.producerPrefix("transaction.timeout.ms")));
    }

    @Test
    void aTerminalWaitThatCouldOutlastTheTransactionIsRefusedWithWhatToDo() {
        final ConfigException e = assertThrows(ConfigException.class, () -> new ScorerConfig(Map.of(
                ScorerConfig.TERMINAL_MAX_WAIT_MS, "5000")));
        assertTrue(e.getMessage().contains("streams.producer.transaction.timeout.ms"), e.getMessage());
        // ...and accepted once the transaction timeout leaves room for it
        new ScorerConfig(Map.of(ScorerConfig.TERMINAL_MAX_WAIT_MS, "5000",
                "streams." + StreamsConfig.producerPrefix("transaction.timeout.ms"), "20000"));
    }

    @Test
    void theRocksDbBudgetIsPassedUnderTheConfigSettersKeyAndATinyOneIsRefused() {
        assertEquals(dev.fraudscorer.scorer.features.BoundedRocksDb.DEFAULT_MEMORY_BYTES, new ScorerConfig(Map.of())
                .streamsProperties().get(dev.fraudscorer.scorer.features.BoundedRocksDb.MEMORY_BYTES));
        assertEquals(256L << 20, new ScorerConfig(Map.of(ScorerConfig.ROCKSDB_MEMORY_BYTES, String.valueOf(256L << 20)))
                .streamsProperties().get(dev.fraudscorer.scorer.features.BoundedRocksDb.MEMORY_BYTES));
        final ConfigException e = assertThrows(ConfigException.class, () -> new ScorerConfig(Map.of(
                ScorerConfig.ROCKSDB_MEMORY_BYTES, "1000")));
        assertTrue(e.getMessage().contains(ScorerConfig.ROCKSDB_MEMORY_BYTES), e.getMessage());
    }

    @Test
    void producerBatchingFollowsTheGuaranteeAndAnExplicitSettingWins() {
        final Map<String, Object> eos = new ScorerConfig(Map.of()).streamsProperties();
        assertEquals(ScorerConfig.EOS_LINGER_MS, eos.get(StreamsConfig.producerPrefix("linger.ms")));
        assertEquals(ScorerConfig.EOS_BATCH_BYTES, eos.get(StreamsConfig.producerPrefix("batch.size")));
        final Map<String, Object> alos = new ScorerConfig(Map.of(ScorerConfig.PROCESSING_GUARANTEE,
                StreamsConfig.AT_LEAST_ONCE)).streamsProperties();
        assertEquals(ScorerConfig.ALOS_LINGER_MS, alos.get(StreamsConfig.producerPrefix("linger.ms")));
        assertEquals(ScorerConfig.ALOS_BATCH_BYTES, alos.get(StreamsConfig.producerPrefix("batch.size")));
        assertEquals("50", new ScorerConfig(Map.of("streams." + StreamsConfig.producerPrefix("linger.ms"), "50"))
                .streamsProperties().get(StreamsConfig.producerPrefix("linger.ms")));
    }
}
