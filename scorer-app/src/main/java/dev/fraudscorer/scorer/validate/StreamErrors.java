package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.scorer.features.ToTerminalEvents;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.topics.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Kafka Streams' error handlers do with a record that failed outside our own try/catch: the input is dead-lettered
 * in the same exactly-once transaction, so it is a verdict or a dead letter, never both, never neither.
 * <p>
 * Some failures are not dead-lettered. One on the terminal-history side branch is logged and counted only: that
 * branch runs before scoring, so the same record still gets its verdict, and dead-lettering it would make it both. One
 * in a global store (model-control, model-registry, terminal history) is logged, counted and skipped: the global
 * thread has no producer. A failure writing to the dead-letter topic itself stops the application, since there is
 * nowhere left to keep it.
 */
public final class StreamErrors {

    /** Key under which {@code ScorerMain} hands the metrics to the handlers through the Streams config. */
    public static final String METRICS_CONFIG = "dev.fraudscorer.scorer.metrics";

    /** Processor nodes on the terminal-history side branch of a transaction (see {@code ScorerTopology}). */
    private static final Set<String> SIDE_BRANCH = Set.of(ToTerminalEvents.NODE, ToTerminalEvents.SINK);
    private static final Set<String> GLOBAL_SOURCES = Set.of(Topics.MODEL_CONTROL.name(), Topics.MODEL_REGISTRY.name(),
            Topics.TERMINAL_EVENTS.name());

    private static final Logger LOG = LoggerFactory.getLogger(StreamErrors.class);

    enum Action { DEAD_LETTER, COUNT_ONLY, STOP }

    private ScorerMetrics metrics = ScorerMetrics.discarding();

    StreamErrors() {
    }

    void configure(Map<String, ?> configs) {
        if (configs.get(METRICS_CONFIG) instanceof ScorerMetrics m) {
            metrics = m;
        }
    }

    /**
     * @param outputTopic the topic a failed write was for, or null for a processing error
     * @param punctuation a scheduled punctuation failed: there is no input record to keep
     */
    Action actionFor(ErrorHandlerContext context, String outputTopic, boolean punctuation) {
        if (Topics.DEAD_LETTERS.name().equals(outputTopic)) {
            return Action.STOP;
        }
        if (punctuation) {
            return Action.COUNT_ONLY;
        }
        // Global-store sources: Kafka Streams cannot send dead letters from the global thread; the record is skipped.
        if (SIDE_BRANCH.contains(context.processorNodeId()) || GLOBAL_SOURCES.contains(context.topic())) {
            return Action.COUNT_ONLY;
        }
        // Without the input's bytes (an asynchronous send error after they were released) it cannot be kept: stop
        // rather than lose it.
        return context.sourceRawValue() == null && context.sourceRawKey() == null ? Action.STOP : Action.DEAD_LETTER;
    }

    /** The input record as it was read, dead-lettered with {@code reason}; empty unless {@code action} says so. */
    List<ProducerRecord<byte[], byte[]>> handle(Action action, DeadLetter.Reason reason, ErrorHandlerContext context,
                                               Exception error) {
        metrics.streamError(reason, context.processorNodeId());
        if (action != Action.DEAD_LETTER) {
            LOG.error("{} at node {} for {}/{}@{} (trace_id={}); {}", reason, context.processorNodeId(), context.topic(),
                    context.partition(), context.offset(), dev.fraudscorer.scorer.score.Tracing.traceIdOf(context.headers()),
                    action == Action.STOP ? "stopping" : "record kept, not dead-lettered", error);
            return List.of();
        }
        LOG.warn("{} at node {} for {}/{}@{} (trace_id={}); dead-lettered", reason, context.processorNodeId(),
                context.topic(), context.partition(), context.offset(),
                dev.fraudscorer.scorer.score.Tracing.traceIdOf(context.headers()), error);
        metrics.deadLetter(reason);
        final var headers = context.headers() == null ? new RecordHeaders() : context.headers();
        return List.of(DeadLetter.of(reason, error).record(Topics.DEAD_LETTERS.name(), context.sourceRawKey(),
                context.sourceRawValue(), headers, context.topic(), context.partition(), context.offset()));
    }
}
