package dev.fraudscorer.scorer.features;

import dev.fraudscorer.features.EntityEvents;
import dev.fraudscorer.features.EntityHistory;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Terminal entries this process has sent to terminal-events but the global store has not read back yet. The hot
 * path reads them together with the global store, so this instance's own history is complete at once however far
 * the global thread lags (in a catch-up it can fall days of event time behind); the global thread removes an entry
 * when it stores it, so this holds at most the global thread's lag. Other instances' entries are waited for with
 * {@link TerminalGate} instead.
 *
 * <p>Held per terminal, each a small sorted snapshot replaced on write (stream threads add, the global thread
 * removes, stream threads read): one sorted map of every pending entry cost a skip-list insert with long key
 * compares per transaction, about 7% of the stream thread in JFR.
 */
public final class RecentTerminalEntries {

    private final ConcurrentHashMap<String, EntityEvents> entities = new ConcurrentHashMap<>();
    private final Set<String> localWriters = ConcurrentHashMap.newKeySet();

    void add(String writer, EntityHistory.Entry entry) {
        if (!localWriters.contains(writer)) {
            localWriters.add(writer);
        }
        entities.compute(EntityHistory.entityOf(entry.key()), (e, held) -> {
            final EntityEvents next = held == null ? new EntityEvents(2) : held.copy();
            next.put(entry.key(), entry.value());
            return next;
        });
    }

    /** The global store now holds {@code value} under {@code key}: drop the copy unless a newer value replaced it. */
    void stored(byte[] key, byte[] value) {
        entities.computeIfPresent(EntityHistory.entityOf(key), (e, held) -> {
            if (!Arrays.equals(held.get(key), value)) {
                return held;
            }
            final EntityEvents next = held.copy();
            next.remove(key);
            return next.size() == 0 ? null : next;
        });
    }

    boolean isLocal(String writer) {
        return localWriters.contains(writer);
    }

    /** The pending entries of the entity {@code key} belongs to (a snapshot never modified), or null when none. */
    EntityEvents of(byte[] key) {
        return entities.isEmpty() ? null : entities.get(EntityHistory.entityOf(key));
    }

    /** Entries pending now (counted when asked: nothing on the hot path keeps a total). */
    public int size() {
        return entities.values().stream().mapToInt(EntityEvents::size).sum();
    }
}
