package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EntityHistory;
import java.util.Arrays;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Terminal entries this process has sent to terminal-events but the global store has not read back yet. The hot
 * path reads them together with the global store, so this instance's own history is complete at once however far
 * the global thread lags (in a catch-up it can fall days of event time behind); the global thread removes an entry
 * when it stores it, so this holds at most the global thread's lag. Other instances' entries are waited for with
 * {@link TerminalGate} instead.
 */
public final class RecentTerminalEntries {

    private final ConcurrentSkipListMap<byte[], byte[]> entries = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final Set<String> localWriters = ConcurrentHashMap.newKeySet();

    void add(String writer, EntityHistory.Entry entry) {
        localWriters.add(writer);
        entries.put(entry.key(), entry.value());
    }

    /** The global store now holds {@code value} under {@code key}: drop the copy unless a newer value replaced it. */
    void stored(byte[] key, byte[] value) {
        entries.computeIfPresent(key, (k, v) -> Arrays.equals(v, value) ? null : v);
    }

    boolean isLocal(String writer) {
        return localWriters.contains(writer);
    }

    NavigableMap<byte[], byte[]> range(byte[] from, byte[] to) {
        return entries.subMap(from, true, to, false);
    }

    public int size() {
        return entries.size();
    }
}
