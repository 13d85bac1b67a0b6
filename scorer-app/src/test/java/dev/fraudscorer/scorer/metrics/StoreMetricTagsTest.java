package dev.fraudscorer.scorer.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class StoreMetricTagsTest {

    @Test
    void rocksDbAndInMemoryStoreMetricsAreBothExported() {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new StoreMetricTags());
        Gauge.builder("kafka.stream.state.get.latency.max", () -> 1.0).tag("rocksdb.state.id", "customer-history")
                .tag("task.id", "0_1").register(registry);
        Gauge.builder("kafka.stream.state.get.latency.max", () -> 2.0).tag("in.memory.state.id", "model-control-store")
                .tag("task.id", "-1_-1").register(registry);
        final String scrape = registry.scrape();
        assertTrue(scrape.contains("kafka_stream_state_get_latency_max{state_id=\"customer-history\",store_type=\"rocksdb\""),
                scrape);
        assertTrue(scrape.contains("state_id=\"model-control-store\",store_type=\"in.memory\""), scrape);
    }
}
