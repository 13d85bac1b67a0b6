package dev.fraudscorer.scorer.validate;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * {@code production.exception.handler}: an output that cannot be serialised or sent dead-letters the input record
 * instead (reason {@code VERDICT_WRITE_FAILED}). A failed dead letter stops the application: nothing is dropped.
 */
public final class ProductionErrorToDeadLetter implements ProductionExceptionHandler {

    private final StreamErrors errors = new StreamErrors();

    @Override
    public void configure(Map<String, ?> configs) {
        errors.configure(configs);
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        return handle(context, record.topic(), exception);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof org.apache.kafka.common.errors.RetriableException) {
            // Broker trouble, not this record's: let Streams retry the task rather than dead-letter good input.
            return Response.retry();
        }
        return handle(context, record.topic(), exception);
    }

    private Response handle(ErrorHandlerContext context, String topic, Exception exception) {
        final StreamErrors.Action action = errors.actionFor(context, topic, false);
        final var deadLetters = errors.handle(action, DeadLetter.Reason.VERDICT_WRITE_FAILED, context, exception);
        return action == StreamErrors.Action.STOP ? Response.fail() : Response.resume(deadLetters);
    }
}
