package dev.fraudscorer.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The key layout byte for byte, as the class comment documents it: stores and changelogs written before hold these
 * bytes, so a change in how keys are built must not change a single one.
 */
class EventKeysTest {

    private static final byte[] TIME_5 = {(byte) 0x80, 0, 0, 0, 0, 0, 0, 5}; // 5 ms, sign flipped, big-endian

    @Test
    void aNumericTransactionIdIsItsValueAsEightBytes() {
        assertArrayEquals(concat(new byte[] {0, 2, 'a', 'b'}, TIME_5, new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 4},
                new byte[] {EventKeys.TRANSACTION}), EventKeys.event("ab", 5, "260", EventKeys.TRANSACTION));
        assertArrayEquals(concat(new byte[] {0, 2, 'a', 'b'}, TIME_5, new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 4},
                new byte[] {(byte) 0xFF}), EventKeys.afterTransaction("ab", 5, "260"));
    }

    @Test
    void anyOtherIdIsItsUtf8BetweenMarkers() {
        assertArrayEquals(concat(new byte[] {0, 1, 'c'}, TIME_5, new byte[] {1, '0', '7', 0}, new byte[] {EventKeys.LABEL}),
                EventKeys.event("c", 5, "07", EventKeys.LABEL), "a leading zero is not canonical");
        assertArrayEquals(concat(new byte[] {0, 1, 'c'}, TIME_5, new byte[] {1, (byte) 0xC3, (byte) 0xA9, 0},
                new byte[] {(byte) 0xFF}), EventKeys.afterTransaction("c", 5, "é"));
    }

    @Test
    void boundsAndTheirOrder() {
        assertArrayEquals(concat(new byte[] {0, 1, 'c'}, TIME_5), EventKeys.atTime("c", 5));
        assertArrayEquals(concat(new byte[] {0, 1, 'c'}, new byte[] {(byte) 0xFF, -1, -1, -1, -1, -1, -1, -1},
                new byte[] {(byte) 0xFF}), EventKeys.afterEntity("c"));
        assertArrayEquals(concat(new byte[] {0, 1, 'c'}, new byte[] {0x7F, -1, -1, -1, -1, -1, -1, -5}),
                EventKeys.atTime("c", -5));
        final byte[] key = EventKeys.event("c", 5, "9", EventKeys.TRANSACTION);
        assertEquals(5, EventKeys.timeOf(key));
        assertTrue(Arrays.compareUnsigned(EventKeys.atTime("c", 5), key) < 0);
        assertTrue(Arrays.compareUnsigned(key, EventKeys.afterTransaction("c", 5, "9")) < 0);
        assertTrue(Arrays.compareUnsigned(EventKeys.afterTransaction("c", 5, "9"), EventKeys.atTime("c", 6)) < 0);
        assertTrue(Arrays.compareUnsigned(EventKeys.atTime("c", Long.MAX_VALUE), EventKeys.afterEntity("c")) < 0);
        final String longId = "x".repeat(300);
        final byte[] longKey = EventKeys.atTime(longId, 5);
        assertEquals(300, ((longKey[0] & 0xFF) << 8) | (longKey[1] & 0xFF));
        assertEquals(5, EventKeys.timeOf(longKey));
    }

    private static byte[] concat(byte[]... parts) {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
