package dev.fraudscorer.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * Creates the declared ACLs ({@link Access}) that are missing and reports ACLs on the cluster that the declaration
 * does not contain. Like {@link TopicApplier} it never deletes: an extra grant is for a human to look at.
 */
public final class AclApplier {

    /** What one apply did. */
    public record Report(List<String> created, int unchanged, List<String> drift) {
        public boolean hasDrift() {
            return !drift.isEmpty();
        }

        @Override
        public String toString() {
            final StringBuilder out = new StringBuilder();
            created.forEach(a -> out.append("created   ").append(a).append('\n'));
            out.append("ok        ").append(unchanged).append(" ACLs as declared\n");
            drift.forEach(d -> out.append("DRIFT     ").append(d).append(" (not declared; left in place)\n"));
            return out.toString();
        }
    }

    private final Admin admin;

    public AclApplier(Admin admin) {
        this.admin = admin;
    }

    public Report apply(Collection<AclBinding> declared) throws InterruptedException {
        try {
            final Set<AclBinding> existing = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get());
            final List<AclBinding> missing = declared.stream().filter(b -> !existing.contains(b)).toList();
            admin.createAcls(missing).all().get();
            final Set<AclBinding> wanted = new HashSet<>(declared);
            final List<String> drift = new ArrayList<>();
            existing.stream().filter(b -> !wanted.contains(b)).map(AclApplier::describe).sorted().forEach(drift::add);
            return new Report(missing.stream().map(AclApplier::describe).toList(), declared.size() - missing.size(),
                    drift);
        } catch (ExecutionException e) {
            throw new IllegalStateException("applying ACLs failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** One line: principal, permission, operation, resource. */
    public static String describe(AclBinding b) {
        return String.format("%-14s %s %-8s %s %s%s", b.entry().principal(), b.entry().permissionType(),
                b.entry().operation(), b.pattern().resourceType(), b.pattern().name(),
                b.pattern().patternType() == org.apache.kafka.common.resource.PatternType.PREFIXED ? "*" : "");
    }
}
