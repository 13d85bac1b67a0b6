package dev.fraudscorer.scorer.validate;

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
 * Two places are not dead-lettered. A failure on the terminal-history side branch is logged and counted only: that
 * branch runs before scoring, so the same record still gets its verdict, and dead-lettering it would make it both. A
 * failure writing to the dead-letter topic itself stops the application, since there is nowhere left to keep it.
 */
public final class StreamErrors {

    /** Key under which {@code ScorerMain} hands the metrics to the handlers through the Streams config. */
    public static final String METRICS_CONFIG = "dev.fraudscorer.scorer.metrics";

    /** Processor nodes on the terminal-history side branch of a transaction (see {@code ScorerTopology}). */
    private static final Set<String> SIDE_BRANCH = Set.of("terminal-entry", "terminal-events-sink");

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

    Action actionFor(ErrorHandlerContext context, String outputTopic) {
        if (Topics.DEAD_LETTERS.name().equals(outputTopic)) {
            return Action.STOP;
        }
        if (SIDE_BRANCH.contains(context.processorNodeId())) {
            return Action.COUNT_ONLY;
        }
        return context.sourceRawValue() == null && context.sourceRawKey() == null ? Action.COUNT_ONLY : Action.DEAD_LETTER;
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
