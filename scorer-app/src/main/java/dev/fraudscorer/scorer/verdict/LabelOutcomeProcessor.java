package dev.fraudscorer.scorer.verdict;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Labels, re-keyed by customer onto the scoring task's partition, into the verdict-outcome join. Connected to the
 * scoring processor's stores so that Streams runs both in one task.
 */
public final class LabelOutcomeProcessor implements Processor<byte[], byte[], Void, Void> {

    private final TaskCustomers tasks;
    private ProcessorContext<Void, Void> context;

    public LabelOutcomeProcessor(TaskCustomers tasks) {
        this.tasks = tasks;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        final TaskCustomers.Customers customers = tasks.of(context.taskId());
        customers.outcomes().label(new String(record.key(), StandardCharsets.UTF_8), record.value());
        customers.history().flush();
    }
}
