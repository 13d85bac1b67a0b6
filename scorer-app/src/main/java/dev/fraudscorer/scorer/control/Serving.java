package dev.fraudscorer.scorer.control;

import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;

/**
 * What one control record asks a scorer to serve, every version verified and loaded: the active version, an
 * optional canary taking a stable share of the keys, and an optional shadow scored beside the decision.
 */
public record Serving(LoadedModel active, LoadedModel canary, int canaryPercent, LoadedModel shadow,
                      Integer previousVersion, long generation) {

    /** The version that decides for {@code key}: the same key always gets the same version. */
    public LoadedModel forKey(byte[] key) {
        return canary != null && bucket(key) < canaryPercent ? canary : active;
    }

    /**
     * A key's bucket in [0, 100). murmur2 is what Kafka partitions with, so it is re-mixed (SplitMix64's finaliser)
     * to keep the canary share independent of the partition.
     */
    public static int bucket(byte[] key) {
        long z = key == null ? 0 : Utils.murmur2(key) & 0xffffffffL;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z ^= z >>> 31;
        return (int) Long.remainderUnsigned(z, 100);
    }

    /** Cache keys of what must stay loaded: what is named here and the previous active version. */
    public Set<String> keep() {
        final Set<String> keep = new LinkedHashSet<>();
        keep.add(ModelCache.key(active.name(), active.version()));
        if (canary != null) {
            keep.add(ModelCache.key(canary.name(), canary.version()));
        }
        if (shadow != null) {
            keep.add(ModelCache.key(shadow.name(), shadow.version()));
        }
        if (previousVersion != null) {
            keep.add(ModelCache.key(active.name(), previousVersion));
        }
        return keep;
    }
}
