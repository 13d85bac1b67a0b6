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
        if (blank(tx.getTransactionId()) || blank(tx.getCustomerId()) || blank(tx.getTerminalId())) {
            return Optional.of(DeadLetter.of(Reason.MISSING_ID, "transactionId, customerId and terminalId are required"
                    + " (got " + tx.getTransactionId() + ", " + tx.getCustomerId() + ", " + tx.getTerminalId() + ")"));
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

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
