package dev.fraudscorer.scorer;

import dev.fraudscorer.schema.ScorerStatus;
import dev.fraudscorer.scorer.control.ModelCache;
import dev.fraudscorer.scorer.control.Serving;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what this instance serves to the compacted scorer-status topic, keyed by instance id, so
 * {@code model-control status} shows every live instance's view, not only the desired state.
 */
final class StatusReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "scorer-status");
        t.setDaemon(true);
        return t;
    });
    private final KafkaProducer<String, ScorerStatus> producer;
    private final String instanceId;

    private StatusReporter(KafkaProducer<String, ScorerStatus> producer, String instanceId) {
        this.producer = producer;
        this.instanceId = instanceId;
    }

    static StatusReporter start(ScorerConfig config, ModelCache cache, KafkaStreams streams) {
        final Properties props = new Properties();
        props.putAll(config.clientSettings());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        final KafkaProducer<String, ScorerStatus> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.<ScorerStatus>values(config.getString(ScorerConfig.REGISTRY_URL)).serializer());
        final StatusReporter reporter = new StatusReporter(producer, config.instanceId());
        reporter.timer.scheduleWithFixedDelay(() -> reporter.report(config.modelName(), cache, streams), 0,
                config.getLong(ScorerConfig.STATUS_INTERVAL_MS), TimeUnit.MILLISECONDS);
        return reporter;
    }

    static ScorerStatus status(String instanceId, String modelName, Optional<Serving> serving, ModelCache cache,
                               String streamsState) {
        return ScorerStatus.newBuilder().setInstanceId(instanceId).setModelName(modelName)
                .setActiveVersion(serving.map(s -> s.active().version()).orElse(null))
                .setCanaryVersion(serving.map(Serving::canary).map(c -> c.version()).orElse(null))
                .setCanaryPercent(serving.map(Serving::canaryPercent).orElse(0))
                .setShadowVersion(serving.map(Serving::shadow).map(c -> c.version()).orElse(null))
                .setControlGeneration(serving.map(Serving::generation).orElse(0L))
                .setRejections(cache.rejections())
                .setStreamsState(streamsState).setReportedAt(Instant.now()).build();
    }

    private void report(String modelName, ModelCache cache, KafkaStreams streams) {
        try {
            producer.send(new ProducerRecord<>(Topics.SCORER_STATUS.name(), instanceId,
                    status(instanceId, modelName, cache.lastServing(modelName), cache, streams.state().name())));
        } catch (RuntimeException e) {
            LOG.warn("could not report status: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
