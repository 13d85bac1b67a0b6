package dev.fraudscorer.infra.verify;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every scorer's RSS and used heap every 10 s while the load runs, by process: a soak's memory growth is judged per
 * process lifetime (an instance killed and started again is a new process).
 */
final class MemorySampler implements AutoCloseable {

    static final long EVERY_MS = 10_000;

    /**
     * One reading; {@code heapKb} is used heap at that moment, not after a collection; {@code oldGenKb} changes only
     * when a collection runs, so it tracks what stays live; {@code blockCacheKb} is RocksDB's shared cache in use.
     */
    record Sample(long atMs, int index, long pid, long rssKb, long heapKb, long heapCommittedKb, long oldGenKb,
                  long blockCacheKb) {
    }

    private final ScorerFleet fleet;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = DaemonTimer.named("memory-sampler");

    private MemorySampler(ScorerFleet fleet) {
        this.fleet = fleet;
    }

    static MemorySampler start(ScorerFleet fleet) {
        final MemorySampler sampler = new MemorySampler(fleet);
        sampler.timer.scheduleAtFixedRate(sampler::sample, 0, EVERY_MS, TimeUnit.MILLISECONDS);
        return sampler;
    }

    private void sample() {
        final long now = System.currentTimeMillis();
        for (int i : fleet.running()) {
            final long pid = fleet.pid(i);
            final long rss = fleet.rssKb(i);
            if (pid > 0 && rss > 0) {
                final ScorerFleet.Memory jvm = fleet.memory(i);
                samples.add(new Sample(now, i, pid, rss, jvm.heapKb(), jvm.heapCommittedKb(), jvm.oldGenKb(),
                        jvm.blockCacheKb()));
            }
        }
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
