package dev.fraudscorer.infra.verify;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A one-thread scheduler on a named daemon thread: a run's periodic side jobs never keep the verifier alive. */
final class DaemonTimer {

    private DaemonTimer() {
    }

    static ScheduledExecutorService named(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
