package dev.fraudscorer.scorer.validate;

import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a routed failure back into the original bytes plus {@code dlq.*} headers. */
public final class DeadLetterProcessor<T> implements FixedKeyProcessor<byte[], Routed<T>, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessor.class);
    private final Consumer<DeadLetter.Reason> counter;
    private FixedKeyProcessorContext<byte[], byte[]> context;

    public DeadLetterProcessor(Consumer<DeadLetter.Reason> counter) {
        this.counter = counter;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], Routed<T>> record) {
        final DeadLetter letter = record.value().deadLetter();
        final var meta = context.recordMetadata();
        letter.addTo(record.headers(), meta.map(m -> m.topic()).orElse("?"),
                meta.map(m -> m.partition()).orElse(-1), meta.map(m -> m.offset()).orElse(-1L));
        counter.accept(letter.reason());
        LOG.debug("dead letter {}: {} (trace_id={})", letter.reason(), letter.message(),
                dev.fraudscorer.scorer.score.Tracing.traceIdOf(record.headers()));
        context.forward(record.withValue(record.value().original()));
    }
}
