package dev.fraudscorer.infra.verify;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * What a long run shows minute by minute and a summary at the end hides: latency and memory per minute, and the
 * soak's two stability figures (issue: p99 within 2x the first five minutes', RSS growth under 5 % after warm-up).
 */
record Soak(MemorySampler memory, ModelSwaps swaps) {

    static final int WARM_UP_MINUTES = 5;

    void print(VerdictLedger ledger, PrintStream out) {
        final Map<Long, ? extends Histogram> minutes = new TreeMap<>(ledger.latencyPerMinute);
        if (minutes.isEmpty()) {
            return;
        }
        final List<MemorySampler.Sample> samples = memory.samples();
        out.println("per minute of the load: input->verdict latency (producer timestamp to verdict read,"
                + " read_committed) and each scorer's RSS / RocksDB block cache in use at the minute's last sample");
        out.printf("  %6s %9s %8s %8s %8s  %s%n", "minute", "verdicts", "p50 ms", "p99 ms", "max ms",
                "RSS/cache MB by scorer");
        minutes.forEach((minute, h) -> {
            final long from = ledger.startMs + minute * 60_000;
            final Map<Integer, String> memory = new TreeMap<>();
            samples.stream().filter(x -> x.atMs() >= from && x.atMs() < from + 60_000)
                    .forEach(x -> memory.put(x.index(), x.rssKb() / 1024 + "/" + x.blockCacheKb() / 1024));
            out.printf("  %6d %,9d %8d %8d %8d  %s%n", minute, h.getTotalCount(), h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99), h.getMaxValue(), memory.entrySet().stream()
                            .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" ")));
        });
        final Histogram first = merged(minutes, 0, WARM_UP_MINUTES);
        final Histogram rest = merged(minutes, WARM_UP_MINUTES, Long.MAX_VALUE);
        if (rest.getTotalCount() > 0 && first.getTotalCount() > 0) {
            final long p99First = first.getValueAtPercentile(99);
            final long p99Rest = rest.getValueAtPercentile(99);
            out.printf("latency p99: first %d minutes %d ms; after them %d ms (%.2fx; the soak's limit is 2x)%n",
                    WARM_UP_MINUTES, p99First, p99Rest, p99Rest / (double) Math.max(1, p99First));
        }
        printGrowth(samples, out);
        if (swaps != null) {
            out.printf("model swaps: %d promote, %d rollback, %d failed; verdicts by model version %s%n",
                    swaps.promotes.get(), swaps.rollbacks.get(), swaps.failed.get(),
                    new TreeMap<>(ledger.verdictsByVersion));
        }
    }

    /** RSS of each process from its first sample after warm-up to its last; processes too short are listed so. */
    private static void printGrowth(List<MemorySampler.Sample> samples, PrintStream out) {
        final Map<Long, List<MemorySampler.Sample>> byPid = new TreeMap<>();
        samples.forEach(x -> byPid.computeIfAbsent(x.pid(), p -> new ArrayList<>()).add(x));
        out.printf("scorer RSS growth after %d minutes of a process's life to its last sample (the soak's limit is 5 %%):%n",
                WARM_UP_MINUTES);
        byPid.forEach((pid, list) -> {
            final long born = list.get(0).atMs();
            final MemorySampler.Sample last = list.get(list.size() - 1);
            final MemorySampler.Sample warm = list.stream().filter(x -> x.atMs() >= born + WARM_UP_MINUTES * 60_000L)
                    .findFirst().orElse(null);
            if (warm == null || warm == last) {
                out.printf("  scorer %d (pid %d): lived %.1f min, too short to judge%n", last.index(), pid,
                        (last.atMs() - born) / 60_000.0);
            } else {
                out.printf("  scorer %d (pid %d): RSS %,d -> %,d kB over %.1f min (%+.1f %%); heap committed %,d -> %,d kB,"
                        + " old generation used %,d -> %,d kB, RocksDB block cache %,d -> %,d kB%n", last.index(), pid,
                        warm.rssKb(), last.rssKb(), (last.atMs() - warm.atMs()) / 60_000.0,
                        100.0 * (last.rssKb() - warm.rssKb()) / warm.rssKb(), warm.heapCommittedKb(),
                        last.heapCommittedKb(), warm.oldGenKb(), last.oldGenKb(), warm.blockCacheKb(), last.blockCacheKb());
            }
        });
    }

    private static Histogram merged(Map<Long, ? extends Histogram> minutes, long from, long to) {
        final Histogram all = new Histogram(3_600_000L, 3);
        minutes.forEach((m, h) -> {
            if (m >= from && m < to) {
                all.add(h);
            }
        });
        return all;
    }
}
