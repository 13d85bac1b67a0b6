package dev.fraudscorer.features;

import java.util.Arrays;

/** Binary search over keys kept in unsigned byte order, as the in-memory entity caches keep them. */
final class SortedKeys {

    private SortedKeys() {
    }

    /** The first index in {@code keys[0, size)} whose key is {@code >= key}. */
    static int lowerBound(byte[][] keys, int size, byte[] key) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (Arrays.compareUnsigned(keys[mid], key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
