package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {

    private static final long MINUTE = 60_000_000_000L;

    @Test
    void aTransactionTheBrokerRefusedReplacesTheThreadABoundedNumberOfTimes() {
        final ThreadFailurePolicy policy = new ThreadFailurePolicy();
        final Throwable refused = new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));
        for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
            assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.decide(refused, i * MINUTE));
        }
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.decide(refused, 5 * MINUTE),
                "a sixth within ten minutes: something is persistently wrong");
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.decide(refused, 11 * MINUTE),
                "the oldest ones have left the window");
    }

    @Test
    void anythingElseShutsTheClientDown() {
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                new ThreadFailurePolicy().decide(new StreamsException(new IllegalStateException("a bug")), 0));
    }
}
