package dev.fraudscorer.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Creates the topics of a catalogue that are missing and reports how existing ones differ from it.
 * It never deletes a topic and never changes a partition count or a config: drift is for a human to decide.
 */
public final class TopicApplier {

    /** What one apply did. */
    public record Report(List<String> created, List<String> unchanged, List<String> drift) {
        public boolean hasDrift() {
            return !drift.isEmpty();
        }

        @Override
        public String toString() {
            final StringBuilder out = new StringBuilder();
            created.forEach(t -> out.append("created   ").append(t).append('\n'));
            unchanged.forEach(t -> out.append("ok        ").append(t).append('\n'));
            drift.forEach(d -> out.append("DRIFT     ").append(d).append('\n'));
            return out.toString();
        }
    }

    private final Admin admin;
    private final short replicationFactor;
    private final int minInsyncReplicas;

    public TopicApplier(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.minInsyncReplicas = minInsyncFor(replicationFactor);
    }

    /**
     * Replication decided by the cluster: three copies with two in sync (a broker of three may die and acks=all
     * writes go on) once there are three brokers; one copy on a single broker.
     */
    public static TopicApplier forCluster(Admin admin) throws InterruptedException {
        try {
            final int brokers = admin.describeCluster().nodes().get().size();
            return new TopicApplier(admin, (short) Math.min(3, Math.max(1, brokers)));
        } catch (ExecutionException e) {
            throw new IllegalStateException("describing the cluster failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    static int minInsyncFor(short replicationFactor) {
        return replicationFactor >= 3 ? 2 : 1;
    }

    private Map<String, String> configsOf(TopicSpec spec) {
        final Map<String, String> configs = new java.util.HashMap<>(spec.configs());
        configs.put("min.insync.replicas", Integer.toString(minInsyncReplicas));
        return configs;
    }

    public Report apply(Collection<TopicSpec> specs) throws InterruptedException {
        try {
            final var existing = admin.listTopics().names().get();
            final List<NewTopic> toCreate = specs.stream().filter(s -> !existing.contains(s.name()))
                    .map(s -> new NewTopic(s.name(), s.partitions(), replicationFactor).configs(configsOf(s)))
                    .toList();
            admin.createTopics(toCreate).all().get();
            final List<TopicSpec> present = specs.stream().filter(s -> existing.contains(s.name())).toList();
            final List<String> drift = drift(present);
            final List<String> unchanged = present.stream().map(TopicSpec::name)
                    .filter(n -> drift.stream().noneMatch(d -> d.startsWith(n + ":"))).toList();
            return new Report(toCreate.stream().map(NewTopic::name).toList(), unchanged, drift);
        } catch (ExecutionException e) {
            throw new IllegalStateException("applying topics failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private List<String> drift(List<TopicSpec> present) throws ExecutionException, InterruptedException {
        final List<String> drift = new ArrayList<>();
        if (present.isEmpty()) {
            return drift;
        }
        final Map<String, TopicDescription> descriptions =
                admin.describeTopics(present.stream().map(TopicSpec::name).toList()).allTopicNames().get();
        final Map<ConfigResource, Config> configs = admin.describeConfigs(present.stream()
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList()).all().get();
        for (TopicSpec spec : present) {
            final int partitions = descriptions.get(spec.name()).partitions().size();
            if (partitions != spec.partitions()) {
                drift.add(spec.name() + ": partitions " + partitions + ", catalogue says " + spec.partitions()
                        + " (not changed: repartitioning moves keys; do it deliberately)");
            }
            final Config actual = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            for (var wanted : configsOf(spec).entrySet()) {
                final String value = Optional.ofNullable(actual.get(wanted.getKey())).map(ConfigEntry::value).orElse(null);
                if (!wanted.getValue().equals(value)) {
                    drift.add(spec.name() + ": " + wanted.getKey() + "=" + value + ", catalogue says " + wanted.getValue());
                }
            }
        }
        return drift;
    }

    /** Lines describing the catalogue, for {@code --help} style listings. */
    public static String describe(Collection<TopicSpec> specs) {
        return specs.stream().map(s -> String.format("%-18s %2d partitions  %s", s.name(), s.partitions(), s.purpose()))
                .collect(Collectors.joining("\n"));
    }
}
