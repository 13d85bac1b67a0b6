package dev.fraudscorer.topics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on the catalogue's topics: one principal per role, least privilege, declared once beside the
 * topics and applied by the same step ({@link AclApplier}), rendered for Strimzi by {@link StrimziRender}. A broker
 * with {@code allow.everyone.if.no.acl.found=false} denies everything not listed here.
 *
 * <p>READ and WRITE imply DESCRIBE in Kafka's authorizer, so DESCRIBE is never listed separately.
 */
public final class Access {

    /**
     * The scorer's default {@code application.id}: its consumer group, transactional ids and internal topics. Granted
     * as a prefix, so further scorer applications (a second deployment, a test) are named {@code fraud-scorer-*}.
     */
    public static final String SCORER_APPLICATION_ID = "fraud-scorer";
    /** Consumer groups of verdict readers start with this. */
    public static final String VERDICT_GROUP_PREFIX = "fraud-verdicts-";

    /** A role in the system, authenticated as {@code User:<name>}. */
    public enum Role {
        PRODUCER("producer", "sends transactions and fraud labels"),
        SCORER("scorer", "reads its inputs and the model topics; writes verdicts, dead letters, terminal history,"
                + " status; its group, transactional ids and internal topics"),
        OPERATOR("operator", "publishes versions and writes model-control; reads status and, to evaluate a"
                + " candidate, transactions and labels"),
        WEBHOOK("webhook", "writes model-control (rollbacks: scorers refuse anything else its key signs)"),
        CONSUMER("consumer", "reads fraud-verdicts with a group named " + VERDICT_GROUP_PREFIX + "*"),
        AUDITOR("auditor", "reads fraud-verdicts and transactions-dlq (what could not be scored carries the original"
                + " transaction, so ordinary verdict consumers do not see it); no group"),
        REPLAYER("replayer", "re-sends selected dead letters to transactions once their cause is fixed (reads"
                + " transactions-dlq, writes transactions)");

        private final String user;
        private final String duty;

        Role(String user, String duty) {
            this.user = user;
            this.duty = duty;
        }

        public String user() {
            return user;
        }

        public String principal() {
            return "User:" + user;
        }

        public String duty() {
            return duty;
        }
    }

    private Access() {
    }

    /** Every grant of every role. */
    public static List<AclBinding> all() {
        final List<AclBinding> all = new ArrayList<>();
        for (Role role : Role.values()) {
            all.addAll(grants(role));
        }
        return all;
    }

    public static List<AclBinding> grants(Role role) {
        final Grants g = new Grants(role);
        switch (role) {
            case PRODUCER -> g.topics(AclOperation.WRITE, Topics.TRANSACTIONS, Topics.FRAUD_LABELS);
            case SCORER -> {
                g.topics(AclOperation.READ, Topics.TRANSACTIONS, Topics.FRAUD_LABELS, Topics.MODEL_REGISTRY,
                        Topics.MODEL_CONTROL, Topics.TERMINAL_EVENTS);
                g.topics(AclOperation.WRITE, Topics.VERDICTS, Topics.DEAD_LETTERS, Topics.TERMINAL_EVENTS,
                        Topics.SCORER_STATUS);
                // Kafka Streams creates, reads, writes and deletes records of its internal topics (changelogs).
                g.prefixed(ResourceType.TOPIC, SCORER_APPLICATION_ID + "-", AclOperation.ALL);
                g.prefixed(ResourceType.GROUP, SCORER_APPLICATION_ID, AclOperation.READ);
                g.prefixed(ResourceType.TRANSACTIONAL_ID, SCORER_APPLICATION_ID, AclOperation.WRITE);
            }
            case OPERATOR -> {
                g.topics(AclOperation.WRITE, Topics.MODEL_REGISTRY, Topics.MODEL_CONTROL);
                g.topics(AclOperation.READ, Topics.MODEL_REGISTRY, Topics.MODEL_CONTROL, Topics.SCORER_STATUS,
                        Topics.TRANSACTIONS, Topics.FRAUD_LABELS);
            }
            case WEBHOOK -> {
                g.topics(AclOperation.WRITE, Topics.MODEL_CONTROL);
                g.topics(AclOperation.READ, Topics.MODEL_CONTROL, Topics.MODEL_REGISTRY);
            }
            case CONSUMER -> {
                g.topics(AclOperation.READ, Topics.VERDICTS);
                g.prefixed(ResourceType.GROUP, VERDICT_GROUP_PREFIX, AclOperation.READ);
            }
            case AUDITOR -> g.topics(AclOperation.READ, Topics.VERDICTS, Topics.DEAD_LETTERS);
            case REPLAYER -> {
                g.topics(AclOperation.READ, Topics.DEAD_LETTERS);
                g.topics(AclOperation.WRITE, Topics.TRANSACTIONS);
            }
            default -> throw new IllegalStateException(role.name());
        }
        return List.copyOf(g.bindings);
    }

    private static final class Grants {
        final Role role;
        final List<AclBinding> bindings = new ArrayList<>();

        Grants(Role role) {
            this.role = role;
        }

        void topics(AclOperation operation, TopicSpec... topics) {
            Arrays.stream(topics).forEach(t -> literal(ResourceType.TOPIC, t.name(), operation));
        }

        void literal(ResourceType type, String name, AclOperation operation) {
            add(new ResourcePattern(type, name, PatternType.LITERAL), operation);
        }

        void prefixed(ResourceType type, String prefix, AclOperation operation) {
            add(new ResourcePattern(type, prefix, PatternType.PREFIXED), operation);
        }

        private void add(ResourcePattern pattern, AclOperation operation) {
            bindings.add(new AclBinding(pattern,
                    new AccessControlEntry(role.principal(), "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
