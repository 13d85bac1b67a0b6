package dev.fraudscorer.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AccessTest {

    /** Who may write each topic of the catalogue, by the declaration. */
    private static Set<Access.Role> writersOf(TopicSpec topic) {
        final Set<Access.Role> writers = EnumSet.noneOf(Access.Role.class);
        for (Access.Role role : Access.Role.values()) {
            if (Access.grants(role).stream().anyMatch(b -> writes(b, topic))) {
                writers.add(role);
            }
        }
        return writers;
    }

    private static boolean writes(AclBinding b, TopicSpec topic) {
        return b.pattern().resourceType() == ResourceType.TOPIC
                && (b.entry().operation() == AclOperation.WRITE || b.entry().operation() == AclOperation.ALL)
                && (b.pattern().patternType() == PatternType.LITERAL ? b.pattern().name().equals(topic.name())
                : topic.name().startsWith(b.pattern().name()));
    }

    @Test
    void eachTopicHasExactlyTheWritersItsPurposeNeeds() {
        assertEquals(EnumSet.of(Access.Role.PRODUCER, Access.Role.REPLAYER), writersOf(Topics.TRANSACTIONS));
        assertEquals(EnumSet.of(Access.Role.PRODUCER), writersOf(Topics.FRAUD_LABELS));
        assertEquals(EnumSet.of(Access.Role.SCORER), writersOf(Topics.VERDICTS));
        assertEquals(EnumSet.of(Access.Role.SCORER), writersOf(Topics.DEAD_LETTERS));
        assertEquals(EnumSet.of(Access.Role.SCORER), writersOf(Topics.SCORER_STATUS));
        assertEquals(EnumSet.of(Access.Role.SCORER), writersOf(Topics.TERMINAL_EVENTS));
        assertEquals(EnumSet.of(Access.Role.OPERATOR), writersOf(Topics.MODEL_REGISTRY));
        assertEquals(EnumSet.of(Access.Role.OPERATOR, Access.Role.WEBHOOK), writersOf(Topics.MODEL_CONTROL));
    }

    @Test
    void onlyTheScorersOwnPrefixesAreGrantedBroadly() {
        final List<AclBinding> broad = Access.all().stream().filter(b -> b.entry().operation() == AclOperation.ALL
                || b.pattern().patternType() != PatternType.LITERAL).toList();
        assertTrue(broad.stream().allMatch(b -> b.pattern().name().startsWith(Access.SCORER_APPLICATION_ID)
                || b.pattern().name().equals(Access.VERDICT_GROUP_PREFIX)), broad.toString());
        assertTrue(Access.all().stream().noneMatch(b -> b.pattern().resourceType() == ResourceType.CLUSTER),
                "no role needs a cluster-wide permission");
    }

    @Test
    void strimziRendersEveryTopicAndEveryRoleFromTheSameDeclaration() {
        final String yaml = StrimziRender.render("my-cluster", 3);
        assertEquals(Topics.all().size(), count(yaml, "kind: KafkaTopic"));
        assertEquals(Access.Role.values().length, count(yaml, "kind: KafkaUser"));
        assertEquals(Topics.all().size() + Access.Role.values().length, count(yaml, "strimzi.io/cluster: my-cluster"));
        assertTrue(yaml.contains("""
                  name: model-control
                  labels:
                    strimzi.io/cluster: my-cluster
                spec:
                  partitions: 1
                  replicas: 3
                  config:
                    cleanup.policy: "compact"
                    min.compaction.lag.ms: "0"
                    min.insync.replicas: "2"
                """), yaml);
        assertTrue(yaml.contains("""
                      - resource:
                          type: transactionalId
                          name: fraud-scorer
                          patternType: prefix
                        operations: [Write]
                """), yaml);
        final long grants = Access.all().size();
        assertTrue(count(yaml, "- resource:") <= grants && count(yaml, "- resource:") > 0);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
