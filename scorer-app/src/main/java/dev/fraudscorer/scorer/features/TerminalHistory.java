package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.SharedEntityCache;
import java.time.Duration;

/**
 * What one scorer topology shares about terminal history between its stream threads (which write entries and read
 * windows) and its global thread (which stores entries and reads progress markers). The cache holds terminals'
 * stored history in memory: the global thread writes through it, stream threads read it instead of opening a
 * RocksDB iterator per record.
 */
public record TerminalHistory(RecentTerminalEntries recent, TerminalWatermark watermark, TerminalGate gate,
                              SharedEntityCache cache) {

    public static TerminalHistory create(Duration minDelay, Duration maxWait, int cachedTerminals) {
        final RecentTerminalEntries recent = new RecentTerminalEntries();
        final TerminalWatermark watermark = new TerminalWatermark(recent::isLocal);
        return new TerminalHistory(recent, watermark, new TerminalGate(watermark, minDelay, maxWait),
                new SharedEntityCache(cachedTerminals));
    }
}
