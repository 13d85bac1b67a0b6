package dev.fraudscorer.validate;

import java.time.Clock;
import java.util.Optional;

/**
 * The semantic checks a transaction must pass before it enters feature state, beyond what its schema expresses:
 * the scorer dead-letters what fails them, and {@code model-control evaluate} skips the same records when it
 * rebuilds what the scorer saw. One implementation for both.
 */
public final class TransactionRules {

    /** What is wrong. */
    public enum Kind { MISSING_ID, INVALID_AMOUNT, INVALID_EVENT_TIME }

    public record Problem(Kind kind, String message) {
    }

    public static final double DEFAULT_MAX_AMOUNT = 1_000_000.0;
    /** 2000-01-01T00:00:00Z. */
    public static final long DEFAULT_MIN_EVENT_TIME_MS = 946_684_800_000L;
    public static final long DEFAULT_MAX_FUTURE_MS = 24L * 3600 * 1000;
    /** Longest id accepted: ids are keys of feature state. */
    public static final int MAX_ID_LENGTH = 256;

    private final double maxAmount;
    private final long minEventTimeMs;
    private final long maxFutureMs;
    private final Clock clock;

    public TransactionRules(double maxAmount, long minEventTimeMs, long maxFutureMs, Clock clock) {
        this.maxAmount = maxAmount;
        this.minEventTimeMs = minEventTimeMs;
        this.maxFutureMs = maxFutureMs;
        this.clock = clock;
    }

    /** The scorer's defaults. */
    public static TransactionRules defaults(Clock clock) {
        return new TransactionRules(DEFAULT_MAX_AMOUNT, DEFAULT_MIN_EVENT_TIME_MS, DEFAULT_MAX_FUTURE_MS, clock);
    }

    /** @return why the transaction cannot be scored, or empty if it can */
    public Optional<Problem> check(String transactionId, String customerId, String terminalId, double amount,
                                   long eventTimeMs) {
        final String idProblem = idProblem(transactionId, customerId, terminalId);
        if (idProblem != null) {
            return Optional.of(new Problem(Kind.MISSING_ID, idProblem));
        }
        if (Double.isNaN(amount) || Double.isInfinite(amount) || amount < 0 || amount > maxAmount) {
            return Optional.of(new Problem(Kind.INVALID_AMOUNT, "amount " + amount + " is outside [0, " + maxAmount + "]"));
        }
        if (eventTimeMs < minEventTimeMs || eventTimeMs > clock.millis() + maxFutureMs) {
            return Optional.of(new Problem(Kind.INVALID_EVENT_TIME, "eventTime " + java.time.Instant.ofEpochMilli(eventTimeMs)
                    + " is before the supported range or too far in the future"));
        }
        return Optional.empty();
    }

    /**
     * @return what is wrong with the ids, or null. Control characters are refused because ids are part of the
     *         feature engine's sorted state keys.
     */
    public static String idProblem(String transactionId, String customerId, String terminalId) {
        for (String id : new String[] {transactionId, customerId, terminalId}) {
            if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH || hasControl(id)) {
                return "transactionId, customerId and terminalId are required, at most " + MAX_ID_LENGTH
                        + " characters, without control characters (got " + abbreviate(transactionId) + ", "
                        + abbreviate(customerId) + ", " + abbreviate(terminalId) + ")";
            }
        }
        return null;
    }

    /** A loop, not {@code chars().anyMatch}: three ids per record, and the stream showed in the profile. */
    private static boolean hasControl(String id) {
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
