package dev.fraudscorer.control;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The serving state of one model as the model-control topic defines it, and the only place its rules live: which
 * record is in force ({@link #apply}, by {@link ControlGeneration}) and what record a command makes next
 * ({@link #next}). The scorers, the CLI and the webhook all go through it, so they cannot disagree. Immutable; no I/O.
 */
public final class ControlState {

    /** A command that cannot apply to this state, with the one line an operator reads. */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    private final String model;
    private final ControlContent applied;

    private ControlState(String model, ControlContent applied) {
        this.model = Objects.requireNonNull(model);
        this.applied = applied;
    }

    /** No record yet: nothing serves. */
    public static ControlState empty(String model) {
        return new ControlState(model, null);
    }

    public String model() {
        return model;
    }

    /** The record in force, if any. */
    public Optional<ControlContent> applied() {
        return Optional.ofNullable(applied);
    }

    /** Whether {@code record}, read now, would be in force after it (see {@link ControlGeneration}). */
    public boolean accepts(ControlContent record) {
        return record.modelName().equals(model) && ControlGeneration.supersedes(
                applied == null ? null : applied.generation(), record.generation(), record.equals(applied));
    }

    /** The state after reading {@code record}: it in force, or unchanged if it does not raise the generation. */
    public ControlState apply(ControlContent record) {
        return accepts(record) ? new ControlState(model, record) : this;
    }

    /**
     * The record {@code command} makes next: the current one changed, the generation raised by one.
     *
     * @param published whether a version of this model is published (a command naming another one is refused)
     * @throws Refused when the command does not apply here; nothing is to be written then
     */
    public ControlContent next(ControlCommand command, String issuer, String reason, Clock clock,
                               IntPredicate published) {
        final Draft d = new Draft(applied);
        if (command instanceof ControlCommand.Promote p) {
            activate(d, p.version(), false, published);
        } else if (command instanceof ControlCommand.Rollback r) {
            final Integer target = r.to() != null ? r.to() : current().previousVersion();
            if (target == null) {
                throw new Refused("model '" + model + "' has no previous version to roll back to; use --to VERSION");
            }
            activate(d, target, true, published);
        } else if (command instanceof ControlCommand.Canary c) {
            if (c.percent() < 1 || c.percent() > 99) {
                throw new Refused("--percent must be between 1 and 99 (use promote for 100)");
            }
            requirePublished(c.version(), published);
            if (current().activeVersion() == c.version()) {
                throw new Refused("version " + c.version() + " is the active version; a canary must be another one");
            }
            d.canaryVersion = c.version();
            d.canaryPercent = c.percent();
        } else if (command instanceof ControlCommand.ClearCanary) {
            if (current().canaryVersion() == null) {
                throw new Refused("model '" + model + "' has no canary");
            }
            d.canaryVersion = null;
            d.canaryPercent = 0;
        } else if (command instanceof ControlCommand.Shadow s) {
            if (s.version() != null) {
                requirePublished(s.version(), published);
            }
            current();
            d.shadowVersion = s.version();
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return new ControlContent(model, d.activeVersion, d.previousVersion, d.canaryVersion, d.canaryPercent,
                d.shadowVersion, d.rolledBack, (applied == null ? 0 : applied.generation()) + 1, issuer, reason,
                clock.millis());
    }

    private void activate(Draft d, int version, boolean forCause, IntPredicate published) {
        requirePublished(version, published);
        if (applied != null && applied.activeVersion() == version) {
            throw new Refused("version " + version + " is already active");
        }
        if (forCause) {
            if (applied != null) {
                d.rolledBack.add(applied.activeVersion());
            }
        } else {
            d.rolledBack.remove(Integer.valueOf(version));
        }
        d.rolledBack = new ArrayList<>(d.rolledBack.stream().distinct().toList());
        d.previousVersion = applied == null ? null : applied.activeVersion();
        d.activeVersion = version;
        if (Integer.valueOf(version).equals(d.canaryVersion)) {
            d.canaryVersion = null;
            d.canaryPercent = 0;
        }
    }

    private ControlContent current() {
        if (applied == null) {
            throw new Refused("model '" + model + "' has no active version yet; promote one first");
        }
        return applied;
    }

    private void requirePublished(int version, IntPredicate published) {
        if (!published.test(version)) {
            throw new Refused("version " + version + " of model '" + model + "' is not published; see"
                    + " 'model-control list'");
        }
    }

    /** The fields a command changes, starting from the record in force. */
    private static final class Draft {
        int activeVersion;
        Integer previousVersion;
        Integer canaryVersion;
        int canaryPercent;
        Integer shadowVersion;
        List<Integer> rolledBack;

        Draft(ControlContent from) {
            activeVersion = from == null ? 0 : from.activeVersion();
            previousVersion = from == null ? null : from.previousVersion();
            canaryVersion = from == null ? null : from.canaryVersion();
            canaryPercent = from == null ? 0 : from.canaryPercent();
            shadowVersion = from == null ? null : from.shadowVersion();
            rolledBack = new ArrayList<>(from == null ? List.of() : from.rolledBack());
        }
    }
}
