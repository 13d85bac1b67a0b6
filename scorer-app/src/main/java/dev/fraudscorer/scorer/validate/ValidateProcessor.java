package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.schema.Transaction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Decodes the Avro bytes (inside the topology rather than in a deserialization handler, so a bad record becomes a
 * dead letter in the same transaction as its neighbours' verdicts) and applies the semantic checks.
 */
public final class ValidateProcessor implements FixedKeyProcessor<byte[], byte[], Routed<Transaction>> {

    private final Deserializer<Transaction> deserializer;
    private final TransactionValidator validator;
    private FixedKeyProcessorContext<byte[], Routed<Transaction>> context;

    public ValidateProcessor(Deserializer<Transaction> deserializer, TransactionValidator validator) {
        this.deserializer = deserializer;
        this.validator = validator;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Routed<Transaction>> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        final byte[] raw = record.value();
        final Transaction tx;
        try {
            if (raw == null) {
                throw new IllegalArgumentException("null value (tombstone) on the transactions topic");
            }
            final String topic = context.recordMetadata().map(m -> m.topic()).orElse("transactions");
            tx = deserializer.deserialize(topic, record.headers(), raw);
            if (tx == null) {
                throw new IllegalArgumentException("value decoded to null");
            }
        } catch (SchemaIdGuard.UnknownSchemaId e) {
            context.forward(record.withValue(Routed.dead(DeadLetter.of(DeadLetter.Reason.UNKNOWN_SCHEMA, e), raw)));
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            // OutOfMemoryError: a hostile length prefix must cost one dead letter, not the application.
            context.forward(record.withValue(Routed.dead(DeadLetter.of(DeadLetter.Reason.DESERIALIZATION_FAILED, e), raw)));
            return;
        }
        context.forward(record.withValue(validator.check(tx)
                .or(() -> keyCheck(record.key(), tx))
                .<Routed<Transaction>>map(d -> Routed.dead(d, raw))
                .orElseGet(() -> Routed.ok(tx, raw))));
    }

    /** The topic is keyed by customer id so that a customer's history lives in one partition's store. */
    private static java.util.Optional<DeadLetter> keyCheck(byte[] key, Transaction tx) {
        if (key != null && java.util.Arrays.equals(key, tx.getCustomerId().getBytes(StandardCharsets.UTF_8))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(DeadLetter.of(DeadLetter.Reason.KEY_NOT_CUSTOMER_ID, "record key "
                + (key == null ? "null" : "'" + new String(key, StandardCharsets.UTF_8) + "'")
                + " is not the customer id '" + tx.getCustomerId() + "'; produce transactions keyed by customer id"));
    }
}
