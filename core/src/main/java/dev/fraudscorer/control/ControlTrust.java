package dev.fraudscorer.control;

import dev.fraudscorer.bundle.TrustedKeys;
import java.util.Optional;

/**
 * Who may change what a model serves: operator keys sign any control record, rollback keys (the alert webhook's)
 * only a rollback from the record in force. Signed versions stop a tampered model; this stops an unauthorised
 * choice of model by anyone who can write to the topic.
 */
public final class ControlTrust {

    private final TrustedKeys operators;
    private final TrustedKeys rollbackOnly;

    public ControlTrust(TrustedKeys operators, TrustedKeys rollbackOnly) {
        this.operators = operators;
        this.rollbackOnly = rollbackOnly;
    }

    /**
     * @param current the record in force, or null
     * @return why {@code next} must not be applied, or empty if it may
     */
    public Optional<String> refuse(ControlContent next, byte[] signature, String signedBy, ControlContent current) {
        if (signature == null || signedBy == null) {
            return Optional.of("unsigned control record (generation " + next.generation() + "); sign it with"
                    + " model-control --signing-key");
        }
        final byte[] content = next.canonicalBytes();
        if (operators.trusts(signedBy)) {
            return problem(operators, content, signature, signedBy);
        }
        if (rollbackOnly.trusts(signedBy)) {
            final Optional<String> bad = problem(rollbackOnly, content, signature, signedBy);
            if (bad.isPresent()) {
                return bad;
            }
            return next.isRollbackFrom(current) ? Optional.empty() : Optional.of("key " + signedBy + " may only roll"
                    + " back to the previous version; generation " + next.generation() + " does more");
        }
        return Optional.of("control record signed by key " + signedBy + ", which this scorer does not trust");
    }

    private static Optional<String> problem(TrustedKeys keys, byte[] content, byte[] signature, String signedBy) {
        try {
            keys.verify(content, signature, signedBy);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("control record: " + e.getMessage());
        }
    }
}
