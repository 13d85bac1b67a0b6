package dev.fraudscorer.scorer.features;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A progress marker on {@link dev.fraudscorer.topics.Topics#TERMINAL_EVENTS}: "writer W has written every terminal
 * entry up to event time T". Each writer (a stream task) sends it to every partition, behind its entries, so a
 * reader that has seen it on all partitions has all of W's entries up to T.
 *
 * <p>Its key starts with a zero entity length, which no history entry has (ids are never blank), so older readers
 * skip it and it never collides with an entry.
 */
public record TerminalProgress(String writer, long eventTimeMs, boolean idle) {

    private static final int VALUE_BYTES = Long.BYTES + 1;

    public static boolean isProgress(byte[] key) {
        return key.length >= 2 && key[0] == 0 && key[1] == 0;
    }

    public byte[] key() {
        final byte[] id = writer.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + id.length).put((byte) 0).put((byte) 0).put(id).array();
    }

    public byte[] value() {
        return ByteBuffer.allocate(VALUE_BYTES).putLong(eventTimeMs).put((byte) (idle ? 1 : 0)).array();
    }

    /** @return the marker, or null if {@code value} is not one this version can read */
    public static TerminalProgress decode(byte[] key, byte[] value) {
        if (!isProgress(key) || value == null || value.length < VALUE_BYTES) {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        return new TerminalProgress(new String(key, 2, key.length - 2, StandardCharsets.UTF_8), buffer.getLong(),
                buffer.get() == 1);
    }
}
