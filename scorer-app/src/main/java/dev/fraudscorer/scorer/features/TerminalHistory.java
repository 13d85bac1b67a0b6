package dev.fraudscorer.scorer.features;

import java.time.Duration;

/**
 * What one scorer topology shares about terminal history between its stream threads (which write entries and read
 * windows) and its global thread (which stores entries and reads progress markers).
 */
public record TerminalHistory(RecentTerminalEntries recent, TerminalWatermark watermark, TerminalGate gate) {

    public static TerminalHistory create(Duration minDelay, Duration maxWait) {
        final RecentTerminalEntries recent = new RecentTerminalEntries();
        final TerminalWatermark watermark = new TerminalWatermark(recent::isLocal);
        return new TerminalHistory(recent, watermark, new TerminalGate(watermark, minDelay, maxWait));
    }
}
