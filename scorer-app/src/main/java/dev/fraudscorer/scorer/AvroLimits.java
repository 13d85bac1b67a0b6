package dev.fraudscorer.scorer;

/**
 * Avro's decoder limits (read once, from system properties) so a record that declares a huge string, bytes or
 * collection is refused at the length prefix instead of allocating it. Explicit -D settings win.
 */
final class AvroLimits {

    static final String STRING_MAX = "org.apache.avro.limits.string.maxLength";
    static final String BYTES_MAX = "org.apache.avro.limits.bytes.maxLength";
    static final String COLLECTION_MAX = "org.apache.avro.limits.collectionItems.maxLength";

    private AvroLimits() {
    }

    static void apply() {
        setIfAbsent(STRING_MAX, String.valueOf(64 * 1024));
        // Model bundles travel as bytes inside ModelVersion records.
        setIfAbsent(BYTES_MAX, String.valueOf(dev.fraudscorer.topics.Topics.MAX_MODEL_RECORD_BYTES));
        setIfAbsent(COLLECTION_MAX, String.valueOf(100_000));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
