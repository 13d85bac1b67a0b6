package dev.fraudscorer.scorer.verdict;

import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Labels, re-keyed by customer onto the scoring task's partition, into the verdict-outcome join. */
public final class LabelOutcomeProcessor implements Processor<byte[], byte[], Void, Void> {

    private final ScorerMetrics metrics;
    private final String model;
    private final long windowMs;
    private VerdictOutcomes outcomes;

    public LabelOutcomeProcessor(ScorerMetrics metrics, String model, long windowMs) {
        this.metrics = metrics;
        this.model = model;
        this.windowMs = windowMs;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        outcomes = new VerdictOutcomes(context.getStateStore(VerdictOutcomes.STORE), metrics, model, windowMs);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        outcomes.label(record.value());
    }
}
