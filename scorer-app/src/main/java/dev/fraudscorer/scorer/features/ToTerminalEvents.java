package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.scorer.validate.Routed;
import java.time.Clock;
import java.util.function.Function;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns a valid transaction or label into its terminal history entry for {@link dev.fraudscorer.topics.Topics#TERMINAL_EVENTS},
 * stamped with the wall clock (the topic's retention must count from when history was written, not from 2018).
 */
public final class ToTerminalEvents<V> implements Processor<byte[], Routed<V>, Bytes, byte[]> {

    private final Function<V, EntityHistory.Entry> entry;
    private final Clock clock;
    private ProcessorContext<Bytes, byte[]> context;

    public ToTerminalEvents(Function<V, EntityHistory.Entry> entry, Clock clock) {
        this.entry = entry;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<Bytes, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], Routed<V>> record) {
        final EntityHistory.Entry e = entry.apply(record.value().value());
        context.forward(new Record<>(Bytes.wrap(e.key()), e.value(), clock.millis(), new RecordHeaders()));
    }
}
