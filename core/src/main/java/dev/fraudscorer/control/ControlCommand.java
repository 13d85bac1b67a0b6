package dev.fraudscorer.control;

/** What an operator (or the alert webhook) asks the serving state to become. */
public sealed interface ControlCommand {

    /** Make {@code version} the active version; a human decision, so it leaves the rolled-back list. */
    record Promote(int version) implements ControlCommand {
    }

    /**
     * Make {@code to} (or, when null, the version active before the current one) active again; the version left
     * joins the rolled-back list, which automatic rollbacks never return to.
     */
    record Rollback(Integer to) implements ControlCommand {
    }

    /** Route {@code percent} (1..99) of the keys to {@code version}. */
    record Canary(int version, int percent) implements ControlCommand {
    }

    record ClearCanary() implements ControlCommand {
    }

    /** Also score with {@code version} beside the decision; null stops it. */
    record Shadow(Integer version) implements ControlCommand {
    }
}
