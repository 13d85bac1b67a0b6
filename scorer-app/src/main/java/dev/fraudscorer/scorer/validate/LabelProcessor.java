package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.schema.FraudLabel;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Decodes and checks a fraud label; one that cannot feed terminal history becomes a dead letter. */
public final class LabelProcessor implements FixedKeyProcessor<byte[], byte[], Routed<FraudLabel>> {

    private final Deserializer<FraudLabel> deserializer;
    private FixedKeyProcessorContext<byte[], Routed<FraudLabel>> context;

    public LabelProcessor(Deserializer<FraudLabel> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Routed<FraudLabel>> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        final byte[] raw = record.value();
        final FraudLabel label;
        try {
            if (raw == null) {
                throw new IllegalArgumentException("null value (tombstone) on the labels topic");
            }
            final String topic = context.recordMetadata().map(m -> m.topic()).orElse("fraud-labels");
            label = deserializer.deserialize(topic, record.headers(), raw);
            if (label == null) {
                throw new IllegalArgumentException("value decoded to null");
            }
        } catch (SchemaIdGuard.UnknownSchemaId e) {
            context.forward(record.withValue(Routed.dead(DeadLetter.of(DeadLetter.Reason.UNKNOWN_SCHEMA, e), raw)));
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            context.forward(record.withValue(Routed.dead(DeadLetter.of(DeadLetter.Reason.DESERIALIZATION_FAILED, e), raw)));
            return;
        }
        final String problem = dev.fraudscorer.validate.TransactionRules.idProblem(label.getTransactionId(), label.getCustomerId(),
                label.getTerminalId());
        context.forward(record.withValue(problem == null ? Routed.ok(label, raw)
                : Routed.dead(DeadLetter.of(DeadLetter.Reason.MISSING_ID, problem), raw)));
    }
}
