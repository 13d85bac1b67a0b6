package dev.fraudscorer.scorer.features;

import java.time.Duration;

/**
 * Holds a transaction back until terminal history is complete up to {@code minDelay} before it: every terminal
 * window ends at least that far back (the scorer rejects specs that do not), so features then equal the offline
 * replay's, however far behind the global thread was.
 *
 * <p>The wait is bounded. After a timeout it does not wait again until the watermark moves, so a writer that stopped
 * reporting costs one pause, not one per record; such transactions are scored on the history there is and counted.
 */
public final class TerminalGate {

    /** What a wait did, for the metrics. */
    public enum Outcome { READY, WAITED, STALE }

    private final TerminalWatermark watermark;
    private final long minDelayMs;
    private final long maxWaitMs;
    private volatile long stuckAt = Long.MIN_VALUE;

    public TerminalGate(TerminalWatermark watermark, Duration minDelay, Duration maxWait) {
        this.watermark = watermark;
        this.minDelayMs = minDelay.toMillis();
        this.maxWaitMs = maxWait.toMillis();
    }

    public Outcome await(long eventTimeMs) {
        final long needed = eventTimeMs - minDelayMs;
        final long now = watermark.current();
        if (now >= needed) {
            return Outcome.READY;
        }
        if (now == stuckAt) {
            return Outcome.STALE;
        }
        try {
            if (watermark.awaitAtLeast(needed, maxWaitMs)) {
                return Outcome.WAITED;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stuckAt = watermark.current();
        return Outcome.STALE;
    }
}
