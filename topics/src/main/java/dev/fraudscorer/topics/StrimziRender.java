package dev.fraudscorer.topics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;

/**
 * The catalogue and its access declaration as Strimzi custom resources ({@code KafkaTopic}, {@code KafkaUser} with
 * SCRAM-SHA-512 and simple authorization), for users who run Kafka on Kubernetes: the same declaration the local
 * stack applies, so the two cannot disagree.
 */
public final class StrimziRender {

    private StrimziRender() {
    }

    /**
     * @param cluster  the Strimzi {@code Kafka} resource's name ({@code strimzi.io/cluster} label)
     * @param replicas replication factor of every topic; min.insync.replicas follows as the local stack does
     */
    public static String render(String cluster, int replicas) {
        final StringBuilder out = new StringBuilder();
        out.append("# Rendered from the project's topic catalogue and access declaration (topics/Topics, topics/Access).\n");
        for (TopicSpec topic : Topics.all()) {
            final Map<String, String> configs = new TreeMap<>(topic.configs());
            configs.put("min.insync.replicas", Integer.toString(TopicApplier.minInsyncFor((short) replicas)));
            out.append("---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n")
                    .append("  name: ").append(topic.name()).append('\n')
                    .append("  labels:\n    strimzi.io/cluster: ").append(cluster).append('\n')
                    .append("spec:\n  partitions: ").append(topic.partitions()).append('\n')
                    .append("  replicas: ").append(replicas).append('\n')
                    .append("  config:\n");
            configs.forEach((k, v) -> out.append("    ").append(k).append(": \"").append(v).append("\"\n"));
        }
        for (Access.Role role : Access.Role.values()) {
            out.append("---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaUser\nmetadata:\n")
                    .append("  name: ").append(role.user()).append('\n')
                    .append("  labels:\n    strimzi.io/cluster: ").append(cluster).append('\n')
                    .append("  annotations:\n    fraud-scorer/duty: \"").append(role.duty()).append("\"\n")
                    .append("spec:\n  authentication:\n    type: scram-sha-512\n")
                    .append("  authorization:\n    type: simple\n    acls:\n");
            // One entry per resource with all its operations, as Strimzi's schema groups them.
            final Map<ResourcePattern, List<String>> byResource = new LinkedHashMap<>();
            for (AclBinding b : Access.grants(role)) {
                byResource.computeIfAbsent(b.pattern(), p -> new java.util.ArrayList<>()).add(operation(b));
            }
            byResource.forEach((pattern, operations) -> {
                out.append("      - resource:\n")
                        .append("          type: ").append(pattern.resourceType().name().toLowerCase().replace("_id", "Id"))
                        .append('\n');
                out.append("          name: ").append(pattern.name()).append('\n')
                        .append("          patternType: ")
                        .append(pattern.patternType() == PatternType.PREFIXED ? "prefix" : "literal").append('\n')
                        .append("        operations: [").append(String.join(", ", operations)).append("]\n")
                        .append("        host: \"*\"\n");
            });
        }
        return out.toString();
    }

    /** Strimzi spells operations in CamelCase: Read, Write, All, ... */
    private static String operation(AclBinding b) {
        return java.util.Arrays.stream(b.entry().operation().name().split("_"))
                .map(w -> w.charAt(0) + w.substring(1).toLowerCase()).collect(Collectors.joining());
    }
}
