package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.scorer.validate.DeadLetter.Reason;
import dev.fraudscorer.validate.TransactionRules;
import java.time.Clock;
import java.util.Optional;

/** Semantic checks the schema cannot express ({@link TransactionRules}), as dead-letter reasons. */
public final class TransactionValidator {

    private final TransactionRules rules;

    public TransactionValidator(double maxAmount, long minEventTimeMs, long maxFutureMs, Clock clock) {
        this.rules = new TransactionRules(maxAmount, minEventTimeMs, maxFutureMs, clock);
    }

    /** @return why the transaction cannot be scored, or empty if it can */
    public Optional<DeadLetter> check(Transaction tx) {
        return rules.check(tx.getTransactionId(), tx.getCustomerId(), tx.getTerminalId(), tx.getAmount(),
                tx.getEventTime().toEpochMilli()).map(p -> DeadLetter.of(switch (p.kind()) {
                    case MISSING_ID -> Reason.MISSING_ID;
                    case INVALID_AMOUNT -> Reason.INVALID_AMOUNT;
                    case INVALID_EVENT_TIME -> Reason.INVALID_EVENT_TIME;
                }, p.message()));
    }
}
