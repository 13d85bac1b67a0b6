package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.scorer.validate.DeadLetter.Reason;
import java.time.Clock;
import java.util.Optional;

/** Semantic checks the schema cannot express. */
public final class TransactionValidator {

    private final double maxAmount;
    private final long minEventTimeMs;
    private final long maxFutureMs;
    private final Clock clock;

    public TransactionValidator(double maxAmount, long minEventTimeMs, long maxFutureMs, Clock clock) {
        this.maxAmount = maxAmount;
        this.minEventTimeMs = minEventTimeMs;
        this.maxFutureMs = maxFutureMs;
        this.clock = clock;
    }

    /** @return why the transaction cannot be scored, or empty if it can */
    public Optional<DeadLetter> check(Transaction tx) {
        final String idProblem = idProblem(tx.getTransactionId(), tx.getCustomerId(), tx.getTerminalId());
        if (idProblem != null) {
            return Optional.of(DeadLetter.of(Reason.MISSING_ID, idProblem));
        }
        final double amount = tx.getAmount();
        if (Double.isNaN(amount) || Double.isInfinite(amount) || amount < 0 || amount > maxAmount) {
            return Optional.of(DeadLetter.of(Reason.INVALID_AMOUNT, "amount " + amount + " is outside [0, " + maxAmount
                    + "]"));
        }
        final long eventTime = tx.getEventTime().toEpochMilli();
        if (eventTime < minEventTimeMs || eventTime > clock.millis() + maxFutureMs) {
            return Optional.of(DeadLetter.of(Reason.INVALID_EVENT_TIME, "eventTime " + tx.getEventTime()
                    + " is before the supported range or too far in the future"));
        }
        return Optional.empty();
    }

    /** Longest id accepted: ids are keys of feature state. */
    static final int MAX_ID_LENGTH = 256;

    /**
     * @return what is wrong with the ids, or null. Control characters are refused because ids are part of the
     *         feature engine's sorted state keys.
     */
    /** A loop, not {@code chars().anyMatch}: three ids per record, and the stream showed in the profile. */
    private static boolean hasControl(String id) {
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    static String idProblem(String transactionId, String customerId, String terminalId) {
        for (String id : new String[] {transactionId, customerId, terminalId}) {
            if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH || hasControl(id)) {
                return "transactionId, customerId and terminalId are required, at most " + MAX_ID_LENGTH
                        + " characters, without control characters (got " + abbreviate(transactionId) + ", "
                        + abbreviate(customerId) + ", " + abbreviate(terminalId) + ")";
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
