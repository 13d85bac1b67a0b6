package dev.fraudscorer.features;

import java.nio.ByteBuffer;
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
        final byte[] order = order(transactionId);
        return withTimeAndTail(entity, timeMs, order, new byte[] {kind});
    }

    /** The smallest key of {@code entity} at {@code timeMs}: a bound that includes everything at that time. */
    public static byte[] atTime(String entity, long timeMs) {
        return withTimeAndTail(entity, timeMs, new byte[0], new byte[0]);
    }

    /** A bound after every key of {@code entity}: its prefix, then more 0xFF bytes than any time and order start with. */
    public static byte[] afterEntity(String entity) {
        return withTimeAndTail(entity, Long.MAX_VALUE, new byte[] {(byte) 0xFF}, new byte[0]);
    }

    /** A bound just after every entry of transaction ({@code timeMs}, {@code transactionId}). */
    static byte[] afterTransaction(String entity, long timeMs, String transactionId) {
        return withTimeAndTail(entity, timeMs, order(transactionId), new byte[] {AFTER_ALL_KINDS});
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

    private static byte[] withTimeAndTail(String entity, long timeMs, byte[] order, byte[] tail) {
        final byte[] id = entity.getBytes(StandardCharsets.UTF_8);
        if (id.length > 0xFFFF) {
            throw new IllegalArgumentException("entity id longer than 65535 bytes");
        }
        return ByteBuffer.allocate(2 + id.length + Long.BYTES + order.length + tail.length)
                .putShort((short) id.length).put(id).putLong(timeMs ^ Long.MIN_VALUE).put(order).put(tail).array();
    }

    private static byte[] order(String transactionId) {
        if (isCanonicalNumber(transactionId)) {
            return ByteBuffer.allocate(1 + Long.BYTES).put((byte) 0).putLong(Long.parseLong(transactionId)).array();
        }
        final byte[] utf8 = transactionId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(utf8.length + 2).put((byte) 1).put(utf8).put((byte) 0).array();
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
