package dev.fraudscorer.topics;

import java.util.Map;
import org.apache.avro.Schema;

/**
 * One topic as the system needs it.
 *
 * @param name        topic name
 * @param partitions  partition count; the apply step never changes it on an existing topic
 * @param configs     topic-level configs (cleanup policy, retention, ...) that the apply step sets on creation
 *                    and reports as drift afterwards
 * @param valueSchema Avro schema of the values, registered as artifact {@code <name>-value}; null for raw bytes
 * @param purpose     one line for humans
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs, Schema valueSchema, String purpose) {

    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    /** The registry artifact id the Apicurio serde's default TopicIdStrategy uses for values. */
    public String valueArtifactId() {
        return name + "-value";
    }
}
