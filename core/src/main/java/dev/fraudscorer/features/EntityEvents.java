package dev.fraudscorer.features;

import java.util.Arrays;

/**
 * One entity's entries in unsigned key order, as the in-memory entity caches hold them: the key and value objects,
 * and beside them each entry decoded into primitive arrays (time, kind, number), which is all a feature scan reads.
 * Walking those arrays instead of dereferencing a key and a value per entry made the scans several times cheaper.
 * Not thread-safe; {@link SharedEntityCache} and the scorer's recent terminal entries share copies that are never
 * modified once published.
 */
public final class EntityEvents {

    private byte[][] keys;
    private byte[][] values;
    private long[] times;
    private byte[] kinds;
    private double[] numbers;
    private int size;

    public EntityEvents(int capacity) {
        final int n = Math.max(1, capacity);
        keys = new byte[n][];
        values = new byte[n][];
        times = new long[n];
        kinds = new byte[n];
        numbers = new double[n];
    }

    /** An independent copy with room for one more entry. */
    public EntityEvents copy() {
        final EntityEvents c = new EntityEvents(size + 1);
        System.arraycopy(keys, 0, c.keys, 0, size);
        System.arraycopy(values, 0, c.values, 0, size);
        System.arraycopy(times, 0, c.times, 0, size);
        System.arraycopy(kinds, 0, c.kinds, 0, size);
        System.arraycopy(numbers, 0, c.numbers, 0, size);
        c.size = size;
        return c;
    }

    public int size() {
        return size;
    }

    public byte[] keyAt(int i) {
        return keys[i];
    }

    public byte[] valueAt(int i) {
        return values[i];
    }

    /** The value held under {@code key}, or null. */
    public byte[] get(byte[] key) {
        final int at = lowerBound(key);
        return at < size && Arrays.equals(keys[at], key) ? values[at] : null;
    }

    /** Adds an entry whose key sorts after every held key (a load in key order). */
    void append(byte[] key, byte[] value) {
        grow();
        set(size++, key, value);
    }

    /** Puts {@code key}, replacing its value when held. */
    public void put(byte[] key, byte[] value) {
        final int at = lowerBound(key);
        if (at < size && Arrays.equals(keys[at], key)) {
            set(at, key, value);
            return;
        }
        grow();
        shift(at, at + 1, size - at);
        size++;
        set(at, key, value);
    }

    /** @return whether {@code key} was held */
    public boolean remove(byte[] key) {
        final int at = lowerBound(key);
        if (at >= size || !Arrays.equals(keys[at], key)) {
            return false;
        }
        shift(at + 1, at, size - at - 1);
        size--;
        keys[size] = null;
        values[size] = null;
        return true;
    }

    void scan(byte[] from, byte[] to, EventStore.Visitor visitor) {
        final int end = lowerBound(to);
        for (int i = lowerBound(from); i < end; i++) {
            visitor.visit(keys[i], values[i]);
        }
    }

    void scanEvents(byte[] from, byte[] to, EventStore.EventVisitor visitor) {
        final int end = lowerBound(to);
        for (int i = lowerBound(from); i < end; i++) {
            visitor.visit(keys[i], times[i], kinds[i], numbers[i]);
        }
    }

    /**
     * The first index whose key is {@code >= key}; {@code key} must be of this entity. All keys of an entity share
     * the {@code [length][entity]} prefix and then start with the sign-flipped time, so comparing times first (as
     * longs) orders them as their bytes do; only keys at the same millisecond compare their remaining bytes. Found
     * with JFR: comparing whole keys, prefix included, was a fifth of the scorer's stream thread.
     */
    public int lowerBound(byte[] key) {
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

    private void set(int at, byte[] key, byte[] value) {
        keys[at] = key;
        values[at] = value;
        times[at] = EventKeys.timeOf(key);
        kinds[at] = EventKeys.kindOf(key);
        numbers[at] = EntityHistory.numberOf(key, value);
    }

    private void shift(int from, int to, int length) {
        System.arraycopy(keys, from, keys, to, length);
        System.arraycopy(values, from, values, to, length);
        System.arraycopy(times, from, times, to, length);
        System.arraycopy(kinds, from, kinds, to, length);
        System.arraycopy(numbers, from, numbers, to, length);
    }

    private void grow() {
        if (size == keys.length) {
            final int n = size * 2;
            keys = Arrays.copyOf(keys, n);
            values = Arrays.copyOf(values, n);
            times = Arrays.copyOf(times, n);
            kinds = Arrays.copyOf(kinds, n);
            numbers = Arrays.copyOf(numbers, n);
        }
    }
}
