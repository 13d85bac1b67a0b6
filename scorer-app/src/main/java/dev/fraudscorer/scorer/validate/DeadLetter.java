package dev.fraudscorer.scorer.validate;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Why a record could not be scored. On the dead-letter topic the record keeps its original key, value and headers
 * and gains the {@code dlq.*} headers written by {@link #addTo}.
 */
public record DeadLetter(Reason reason, String message, String exceptionClass) {

    /** Reason codes, stable for consumers and metrics. */
    public enum Reason {
        /** Bytes are not a Transaction from the registry: not framed, truncated, corrupt, wrong type. */
        DESERIALIZATION_FAILED,
        /**
         * The record names a writer schema id the registry did not resolve (unknown, registry unreachable, or too
         * many new ids at once): replayable once the schema is registered or the registry is back.
         */
        UNKNOWN_SCHEMA,
        /** A required id is empty, too long or holds control characters. */
        MISSING_ID,
        /** The record key is not the customer id: the customer's history would be split across partitions. */
        KEY_NOT_CUSTOMER_ID,
        /** Amount negative, NaN, infinite or above the configured bound. */
        INVALID_AMOUNT,
        /** Event time before the supported range or too far in the future. */
        INVALID_EVENT_TIME,
        /** No verified model is active for the configured model name. */
        NO_ACTIVE_MODEL,
        /** The model failed on this record. */
        SCORING_FAILED,
        /** An unexpected exception in a processor on the verdict path (a bug, not bad input). */
        PROCESSING_FAILED,
        /** The verdict could not be serialised or sent; the transaction is kept here instead. */
        VERDICT_WRITE_FAILED
    }

    public static final String REASON = "dlq.reason";
    public static final String MESSAGE = "dlq.message";
    public static final String EXCEPTION = "dlq.exception";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    public static DeadLetter of(Reason reason, String message) {
        return new DeadLetter(reason, message, null);
    }

    public static DeadLetter of(Reason reason, Throwable error) {
        return new DeadLetter(reason, String.valueOf(error.getMessage()), error.getClass().getName());
    }

    /** The dead letter for an input record: its original key, value and headers plus {@code dlq.*} headers. */
    public org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record(String deadLetterTopic, byte[] key,
            byte[] value, Headers original, String topic, int partition, long offset) {
        final Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders(original.toArray());
        addTo(headers, topic, partition, offset);
        return new org.apache.kafka.clients.producer.ProducerRecord<>(deadLetterTopic, null, key, value, headers);
    }

    public void addTo(Headers headers, String topic, int partition, long offset) {
        put(headers, REASON, reason.name());
        put(headers, MESSAGE, message.length() > 1000 ? message.substring(0, 1000) : message);
        if (exceptionClass != null) {
            put(headers, EXCEPTION, exceptionClass);
        }
        put(headers, SOURCE_TOPIC, topic);
        put(headers, SOURCE_PARTITION, Integer.toString(partition));
        put(headers, SOURCE_OFFSET, Long.toString(offset));
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
