package dev.fraudscorer.features;

import java.util.Arrays;

/**
 * Binary search over one entity's event keys kept in unsigned byte order, as the in-memory entity caches keep them,
 * beside each key's event time. All keys of an entity share the {@code [length][entity]} prefix and then start with
 * the sign-flipped time, so comparing times first (as longs) orders them as their bytes do; only keys at the same
 * millisecond compare their remaining bytes. Found with JFR: comparing whole keys, prefix included, was a fifth of
 * the scorer's stream thread.
 */
final class SortedKeys {

    private SortedKeys() {
    }

    /**
     * The first index in {@code keys[0, size)} whose key is {@code >= key}; {@code times[i]} is
     * {@link EventKeys#timeOf} of {@code keys[i]}, and {@code key} belongs to the same entity.
     */
    static int lowerBound(byte[][] keys, long[] times, int size, byte[] key) {
        final int tail = EventKeys.timeOffset(key) + Long.BYTES;
        final long time = EventKeys.timeOf(key);
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            final boolean before = times[mid] != time ? times[mid] < time
                    : Arrays.compareUnsigned(keys[mid], tail, keys[mid].length, key, tail, key.length) < 0;
            if (before) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
