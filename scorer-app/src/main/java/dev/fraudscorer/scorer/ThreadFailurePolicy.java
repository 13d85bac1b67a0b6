package dev.fraudscorer.scorer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What to do when a stream thread dies. Per-record problems never get here (they become dead letters); what does
 * is the cluster refusing a transaction: seen in the crash verifier when a broker was killed, the surviving scorer's
 * commit failed with {@code InvalidTxnStateException} (its transaction had been aborted meanwhile) and Kafka Streams
 * treats that as fatal. Under exactly-once a new thread is safe: the aborted transaction wrote nothing visible, and
 * the thread's tasks restore their state. So an error the broker answered ({@link ApiException}) replaces the thread,
 * at most {@link #MAX_REPLACEMENTS} times in {@link #WINDOW}; anything else, or more than that, shuts the client
 * down and leaves the restart to the supervisor.
 */
final class ThreadFailurePolicy {

    static final int MAX_REPLACEMENTS = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final Deque<Long> replacements = new ArrayDeque<>();

    synchronized StreamThreadExceptionResponse decide(Throwable failure, long nowNanos) {
        while (!replacements.isEmpty() && nowNanos - replacements.peekFirst() > WINDOW.toNanos()) {
            replacements.removeFirst();
        }
        if (answeredByBroker(failure) && replacements.size() < MAX_REPLACEMENTS) {
            replacements.addLast(nowNanos);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    private static boolean answeredByBroker(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ApiException) {
                return true;
            }
        }
        return false;
    }
}
