package dev.fraudscorer.control.webhook;

import dev.fraudscorer.schema.ModelControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether an alert may roll a model back: only the version it names, only while that version is active, only
 * to a previous version that was not itself rolled back for cause, and at most once per model per cool-down. Without
 * these an alert that keeps firing (or fires for the restored version too) would flap between versions.
 */
public final class RollbackGuard {

    /** Who automatic rollbacks are recorded as, in the control record's issuedBy. */
    public static final String ISSUER = "alertmanager-webhook";

    private final Duration coolDown;
    private final Map<String, Instant> lastRollback = new ConcurrentHashMap<>();

    public RollbackGuard(Duration coolDown) {
        this.coolDown = coolDown;
    }

    /** Roll back to {@code target}, or refuse for {@code reason}. */
    public record Decision(Integer target, String reason) {
        static Decision to(int version) {
            return new Decision(version, null);
        }

        static Decision refuse(String reason) {
            return new Decision(null, reason);
        }

        public boolean rollback() {
            return target != null;
        }
    }

    public Decision decide(ModelControl current, Integer alertedVersion, Instant now) {
        if (current == null) {
            return Decision.refuse("the model has no active version");
        }
        final String model = current.getModelName();
        if (alertedVersion == null) {
            return Decision.refuse("the alert has no model_version label; it cannot say which version is bad");
        }
        if (current.getActiveVersion() != alertedVersion) {
            return Decision.refuse("version " + alertedVersion + " is not active (" + current.getActiveVersion()
                    + " is); nothing to roll back");
        }
        final Instant last = lastOf(current);
        if (last != null && last.plus(coolDown).isAfter(now)) {
            return Decision.refuse("an automatic rollback of " + model + " happened at " + last + ", within the cool-down of "
                    + coolDown);
        }
        final Integer previous = current.getPreviousVersion();
        if (previous == null) {
            return Decision.refuse("no previous version to roll back to");
        }
        if (current.getRolledBack() != null && current.getRolledBack().contains(previous)) {
            return Decision.refuse("previous version " + previous + " was itself rolled back for cause");
        }
        return Decision.to(previous);
    }

    /** Records a rollback this process made, so the cool-down holds even before the control record is read back. */
    public void rolledBack(String model, Instant at) {
        lastRollback.merge(model, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    private Instant lastOf(ModelControl current) {
        final Instant mine = lastRollback.get(current.getModelName());
        final Instant recorded = ISSUER.equals(current.getIssuedBy()) ? current.getIssuedAt() : null;
        if (mine == null) {
            return recorded;
        }
        return recorded == null || mine.isAfter(recorded) ? mine : recorded;
    }
}
