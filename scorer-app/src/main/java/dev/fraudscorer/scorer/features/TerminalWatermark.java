package dev.fraudscorer.scorer.features;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How far in event time the global terminal store is complete: the least progress over the writers that are
 * still writing. Updated by the global thread, read by the stream threads, which wait (bounded) before they compute
 * terminal features for a transaction whose windows reach past it. Without this a catch-up over a large backlog
 * outruns the global thread and terminal features silently miss history.
 *
 * <p>Writers that said they are idle, or that stopped reporting while others went on (an instance that died, until
 * its tasks move), are not waited for: all they wrote is already behind their last marker. Nor are this process's
 * own writers: their entries are read from {@link RecentTerminalEntries} until the store has them, and waiting on a
 * task of the waiting thread itself could only time out.
 */
public final class TerminalWatermark {

    /**
     * A writer silent this long (wall clock) while others report is treated as gone. Live writers report every
     * second; a killed instance's writers fall silent, and other instances' transactions must not keep waiting on
     * them much longer than the group takes to move their tasks (session timeout 6 s).
     */
    static final long SILENT_MS = 10_000;

    private final Map<String, Writer> writers = new HashMap<>();
    private long newestWallMs = Long.MIN_VALUE;
    // Learnt from the records read: markers go to every partition, so each shows up as soon as any writer reports.
    private int partitions;
    private volatile long watermark = Long.MAX_VALUE;
    private final Predicate<String> isLocal;

    /** @param isLocal whether a writer runs in this process (it is then not waited for) */
    public TerminalWatermark(Predicate<String> isLocal) {
        this.isLocal = isLocal;
    }

    private static final class Writer {
        final Map<Integer, Long> progressByPartition = new HashMap<>();
        boolean idle;
        long wallMs;

        long progress(int partitions) {
            if (progressByPartition.size() < partitions) {
                return Long.MIN_VALUE;
            }
            return progressByPartition.values().stream().mapToLong(Long::longValue).min().orElse(Long.MIN_VALUE);
        }
    }

    /** Records a marker read from {@code partition}; {@code wallMs} is when the writer sent it. */
    public synchronized void observe(int partition, TerminalProgress marker, long wallMs) {
        final Writer writer = writers.computeIfAbsent(marker.writer(), w -> new Writer());
        writer.progressByPartition.merge(partition, marker.eventTimeMs(), Math::max);
        partitions = Math.max(partitions, partition + 1);
        writer.idle = marker.idle();
        writer.wallMs = Math.max(writer.wallMs, wallMs);
        newestWallMs = Math.max(newestWallMs, wallMs);
        long least = Long.MAX_VALUE;
        for (Map.Entry<String, Writer> e : writers.entrySet()) {
            final Writer w = e.getValue();
            if (!w.idle && w.wallMs >= newestWallMs - SILENT_MS && !isLocal.test(e.getKey())) {
                least = Math.min(least, w.progress(partitions));
            }
        }
        watermark = least;
        notifyAll();
    }

    /** Event time up to which every active writer's entries are in the store; MAX_VALUE when none is active. */
    public long current() {
        return watermark;
    }

    /**
     * Waits until the store is complete up to {@code eventTimeMs}, at most {@code maxWaitMs}.
     *
     * @return true if it is, false on timeout (the caller goes on with what the store has)
     */
    public boolean awaitAtLeast(long eventTimeMs, long maxWaitMs) throws InterruptedException {
        if (watermark >= eventTimeMs) {
            return true;
        }
        final long deadline = System.nanoTime() + maxWaitMs * 1_000_000L;
        synchronized (this) {
            while (watermark < eventTimeMs) {
                final long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
            return true;
        }
    }
}
