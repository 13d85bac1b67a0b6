package dev.fraudscorer.infra.verify;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak's model swaps: every period, {@code promote 2} and {@code rollback} alternately, through the same CLI an
 * operator uses, while the load runs.
 */
final class ModelSwaps implements AutoCloseable {

    /** Runs one {@code model-control} command; throws when it fails. */
    interface Control {
        void run(String... args) throws Exception;
    }

    private final Control control;
    final AtomicInteger promotes = new AtomicInteger();
    final AtomicInteger rollbacks = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final ScheduledExecutorService timer = DaemonTimer.named("model-swaps");

    private ModelSwaps(Control control) {
        this.control = control;
    }

    static ModelSwaps start(java.time.Duration every, Control control) {
        final ModelSwaps swaps = new ModelSwaps(control);
        swaps.timer.scheduleWithFixedDelay(swaps::swap, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return swaps;
    }

    private void swap() {
        final boolean promote = promotes.get() == rollbacks.get();
        try {
            if (promote) {
                control.run("promote", "2", "--reason", "verifier model swap");
                promotes.incrementAndGet();
            } else {
                control.run("rollback", "--reason", "verifier model swap");
                rollbacks.incrementAndGet();
            }
        } catch (Exception e) {
            failed.incrementAndGet();
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(2, TimeUnit.MINUTES);
    }
}
