package dev.fraudscorer.features;

import java.nio.charset.StandardCharsets;

/**
 * Key layout of entity events, chosen so that byte order is (entity, event time, transaction order, kind):
 * {@code [u16 entity length][entity UTF-8][event time, sign-flipped big-endian][order][kind]}. The order of a
 * numeric transaction id (digits, no leading zero, up to 18 of them) is {@code 0x00} + its value as 8 bytes, so
 * ids compare as numbers; any other id is {@code 0x01} + UTF-8 + {@code 0x00}, after all numeric ones. Both forms
 * are prefix-free, so a bound of {@code [...order][0xFF]} sits right after one transaction's entries.
 */
public final class EventKeys {

    static final byte TRANSACTION = 0x01;
    static final byte LABEL = 0x02;
    /** Not an event: see {@link EntityHistory#parkedLabelKey}. */
    static final byte PARKED_LABEL = 0x03;
    private static final byte AFTER_ALL_KINDS = (byte) 0xFF;
    private static final int MAX_NUMERIC_DIGITS = 18;

    private EventKeys() {
    }

    static byte[] event(String entity, long timeMs, String transactionId, byte kind) {
        return withOrderThen(entity, timeMs, transactionId, kind);
    }

    /** The smallest key of {@code entity} at {@code timeMs}: a bound that includes everything at that time. */
    public static byte[] atTime(String entity, long timeMs) {
        return withTimeAndRoom(entity, timeMs, 0);
    }

    /** A bound after every key of {@code entity}: its prefix, then more 0xFF bytes than any time and order start with. */
    public static byte[] afterEntity(String entity) {
        final byte[] key = withTimeAndRoom(entity, Long.MAX_VALUE, 1);
        key[key.length - 1] = (byte) 0xFF;
        return key;
    }

    /** A bound just after every entry of transaction ({@code timeMs}, {@code transactionId}). */
    static byte[] afterTransaction(String entity, long timeMs, String transactionId) {
        return withOrderThen(entity, timeMs, transactionId, AFTER_ALL_KINDS);
    }

    /** Event time of a key built by {@link #event}. */
    public static long timeOf(byte[] key) {
        final int at = timeOffset(key);
        long flipped = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            flipped = (flipped << 8) | (key[at + i] & 0xFF);
        }
        return flipped ^ Long.MIN_VALUE;
    }

    /** Where the time starts in a key or bound: after the entity prefix. */
    static int timeOffset(byte[] key) {
        return 2 + (((key[0] & 0xFF) << 8) | (key[1] & 0xFF));
    }

    static byte kindOf(byte[] key) {
        return key[key.length - 1];
    }

    /** True if both keys belong to the same transaction (they differ at most in the kind byte). */
    static boolean sameTransaction(byte[] a, byte[] b) {
        return a != null && a.length == b.length
                && java.util.Arrays.equals(a, 0, a.length - 1, b, 0, b.length - 1);
    }

    /**
     * {@code [u16 length][entity][time]} followed by {@code room} bytes for the caller to fill, built in one array:
     * keys are made several times per record, and building them from a ByteBuffer and an array per part (together
     * with a span attribute key made per record) cost 0.5 of the 14.6 KB the scorer's stream thread allocated per
     * record (ScorerBenchmark, demo model).
     */
    private static byte[] withTimeAndRoom(String entity, long timeMs, int room) {
        final byte[] id = entity.getBytes(StandardCharsets.UTF_8);
        if (id.length > 0xFFFF) {
            throw new IllegalArgumentException("entity id longer than 65535 bytes");
        }
        final byte[] key = new byte[2 + id.length + Long.BYTES + room];
        key[0] = (byte) (id.length >>> 8);
        key[1] = (byte) id.length;
        System.arraycopy(id, 0, key, 2, id.length);
        putLong(key, 2 + id.length, timeMs ^ Long.MIN_VALUE);
        return key;
    }

    /** {@code [u16 length][entity][time][order of transactionId][last]}. */
    private static byte[] withOrderThen(String entity, long timeMs, String transactionId, byte last) {
        final boolean numeric = isCanonicalNumber(transactionId);
        final byte[] utf8 = numeric ? null : transactionId.getBytes(StandardCharsets.UTF_8);
        final int orderLength = numeric ? 1 + Long.BYTES : utf8.length + 2;
        final byte[] key = withTimeAndRoom(entity, timeMs, orderLength + 1);
        final int at = key.length - orderLength - 1;
        if (numeric) {
            key[at] = 0;
            putLong(key, at + 1, Long.parseLong(transactionId));
        } else {
            key[at] = 1;
            System.arraycopy(utf8, 0, key, at + 1, utf8.length);
            key[at + 1 + utf8.length] = 0;
        }
        key[key.length - 1] = last;
        return key;
    }

    private static void putLong(byte[] into, int at, long value) {
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            into[at + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static boolean isCanonicalNumber(String s) {
        if (s.isEmpty() || s.length() > MAX_NUMERIC_DIGITS || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
