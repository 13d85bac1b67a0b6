package dev.fraudscorer.scorer.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TerminalWatermarkTest {

    private static TerminalProgress at(String writer, long t) {
        return new TerminalProgress(writer, t, false);
    }

    @Test
    void isTheLeastProgressOverActiveWritersAndPartitions() {
        final TerminalWatermark w = new TerminalWatermark(writer -> false);
        assertEquals(Long.MAX_VALUE, w.current(), "nothing written: nothing to wait for");
        w.observe(0, at("a", 100), 1);
        w.observe(1, at("a", 100), 1);
        assertEquals(100, w.current());
        w.observe(0, at("b", 50), 2);
        assertEquals(Long.MIN_VALUE, w.current(), "b's entries on partition 1 up to 50 may not be read yet");
        w.observe(1, at("b", 70), 2);
        assertEquals(50, w.current(), "b is complete only up to its least partition");
        w.observe(0, at("b", 200), 3);
        assertEquals(70, w.current());
        w.observe(1, new TerminalProgress("b", 200, true), 3);
        assertEquals(100, w.current(), "an idle writer is not waited for");
    }

    @Test
    void aWriterSilentWhileOthersReportIsNotWaitedFor() {
        final TerminalWatermark w = new TerminalWatermark(writer -> false);
        w.observe(0, at("dead", 10), 1_000);
        w.observe(0, at("live", 500), 1_000);
        assertEquals(10, w.current());
        w.observe(0, at("live", 600), 1_000 + TerminalWatermark.SILENT_MS);
        assertEquals(10, w.current(), "exactly the silence bound: still waited for");
        w.observe(0, at("live", 700), 1_001 + TerminalWatermark.SILENT_MS);
        assertEquals(700, w.current());
    }

    @Test
    void writersOfThisProcessAreNotWaitedFor() {
        final TerminalWatermark w = new TerminalWatermark("mine"::equals);
        w.observe(0, at("mine", 10), 1);
        assertEquals(Long.MAX_VALUE, w.current());
        w.observe(0, at("theirs", 20), 1);
        assertEquals(20, w.current());
    }

    @Test
    void markersRoundTripAndEntriesAreNotMarkers() {
        final TerminalProgress p = new TerminalProgress("fraud-scorer/0_3", 1_533_081_600_000L, true);
        assertEquals(p, TerminalProgress.decode(p.key(), p.value()));
        final byte[] entryKey = dev.fraudscorer.features.EntityHistory.label("7", 1L, "9", true).key();
        assertNull(TerminalProgress.decode(entryKey, p.value()));
    }

    @Test
    void gateWaitsForTheGlobalThreadThenStopsWaitingOnAStuckWatermark() throws Exception {
        final TerminalWatermark w = new TerminalWatermark(writer -> false);
        final long day = Duration.ofDays(1).toMillis();
        final TerminalGate gate = new TerminalGate(w, Duration.ofDays(1), Duration.ofMillis(300));
        w.observe(0, at("a", 10 * day), 1);
        assertEquals(TerminalGate.Outcome.READY, gate.await(11 * day));

        final CompletableFuture<TerminalGate.Outcome> waiting = CompletableFuture.supplyAsync(() -> gate.await(12 * day));
        Thread.sleep(50);
        w.observe(0, at("a", 11 * day), 2);
        assertEquals(TerminalGate.Outcome.WAITED, waiting.get(5, TimeUnit.SECONDS));

        final long start = System.nanoTime();
        assertEquals(TerminalGate.Outcome.STALE, gate.await(20 * day));
        assertEquals(TerminalGate.Outcome.STALE, gate.await(21 * day));
        final long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(true, waitedMs >= 250 && waitedMs < 1_000, "one bounded wait, not one per record: " + waitedMs);
        w.observe(0, at("a", 20 * day), 3);
        assertEquals(TerminalGate.Outcome.READY, gate.await(21 * day));
    }
}
