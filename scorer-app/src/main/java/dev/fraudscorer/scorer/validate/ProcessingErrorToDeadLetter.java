package dev.fraudscorer.scorer.validate;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/** {@code processing.exception.handler}: an unexpected exception in a processor dead-letters its input record. */
public final class ProcessingErrorToDeadLetter implements ProcessingExceptionHandler {

    private final StreamErrors errors = new StreamErrors();

    @Override
    public void configure(Map<String, ?> configs) {
        errors.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        final StreamErrors.Action action = errors.actionFor(context, null, record == null);
        final var deadLetters = errors.handle(action, DeadLetter.Reason.PROCESSING_FAILED, context, exception);
        return action == StreamErrors.Action.STOP ? Response.fail() : Response.resume(deadLetters);
    }
}
