package dev.fraudscorer.scorer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apicurio.registry.rest.client.models.ProblemDetails;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class SchemaIdGuardTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A registry that knows ids 1 and 2; a body of one byte 0x7F does not decode. */
    private final List<Integer> lookups = new ArrayList<>();
    private final MutableClock clock = new MutableClock();
    private final Deserializer<String> registry = (topic, data) -> {
        final int id = ByteBuffer.wrap(data, 1, 4).getInt();
        lookups.add(id);
        if (!Set.of(1, 2).contains(id)) {
            final ProblemDetails notFound = new ProblemDetails();
            notFound.setStatus(404);
            throw new SerializationException("lookup failed", notFound);
        }
        if (data.length > 5 && data[5] == 0x7F) {
            throw new AvroRuntimeException("Malformed data");
        }
        return "ok-" + id;
    };

    @Test
    void bytesThatAreNotFramedFailWithoutAskingTheRegistry() {
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 10, TIMEOUT, clock);
        final SerializationException e = assertThrows(SerializationException.class,
                () -> guard.deserialize("t", "{\"not\": \"avro\"}".getBytes()));
        assertFalse(e instanceof SchemaIdGuard.UnknownSchemaId);
        assertThrows(SerializationException.class, () -> guard.deserialize("t", new byte[] {0, 0, 1}));
        assertEquals(List.of(), lookups);
    }

    @Test
    void anIdTheRegistryDidNotKnowIsRememberedForAMinute() {
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 10, TIMEOUT, clock);
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(77)));
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(77)));
        assertEquals(List.of(77), lookups, "asked once");
        clock.advance(Duration.ofMillis(SchemaIdGuard.UNKNOWN_FOR_MS + 1));
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(77)));
        assertEquals(List.of(77, 77), lookups, "asked again once the minute is over (it may be registered now)");
    }

    @Test
    void newIdsGetALookupBudgetKnownIdsAreNeverRefused() {
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 2, TIMEOUT, clock);
        assertEquals("ok-1", guard.deserialize("t", framed(1)));
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(3)));
        final SchemaIdGuard.UnknownSchemaId refused = assertThrows(SchemaIdGuard.UnknownSchemaId.class,
                () -> guard.deserialize("t", framed(4)));
        assertEquals(List.of(1, 3), lookups, "the third new id within a second is not looked up");
        assertEquals("schema id 4 is new and the registry lookup budget (2.0/s) is spent on other new ids; replay"
                + " this record later", refused.getMessage());
        for (int i = 0; i < 100; i++) {
            assertEquals("ok-1", guard.deserialize("t", framed(1)), "a known id is not limited");
        }
        clock.advance(Duration.ofSeconds(1));
        assertEquals("ok-2", guard.deserialize("t", framed(2)));
    }

    @Test
    void aCorruptBodyIsADecodingErrorAndDoesNotMarkItsIdUnknown() {
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 10, TIMEOUT, clock);
        final byte[] corrupt = ByteBuffer.allocate(6).put((byte) 0).putInt(2).put((byte) 0x7F).array();
        assertThrows(AvroRuntimeException.class, () -> guard.deserialize("t", corrupt));
        assertEquals("ok-2", guard.deserialize("t", framed(2)));
    }

    @Test
    void aRegistryThatDoesNotAnswerCostsOneBoundedWaitThenTheIdIsKnownWhenItDoes() throws Exception {
        final CountDownLatch answer = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        final Deserializer<String> hanging = (topic, data) -> {
            calls.incrementAndGet();
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        };
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(hanging, 10, Duration.ofMillis(200), clock);
        final long start = System.nanoTime();
        final SchemaIdGuard.UnknownSchemaId timedOut = assertThrows(SchemaIdGuard.UnknownSchemaId.class,
                () -> guard.deserialize("t", framed(1)));
        assertTrue(timedOut.getMessage().startsWith("the registry did not resolve schema id 1 within 200 ms"),
                timedOut.getMessage());
        final SchemaIdGuard.UnknownSchemaId pending = assertThrows(SchemaIdGuard.UnknownSchemaId.class,
                () -> guard.deserialize("t", framed(1)));
        assertTrue(pending.getMessage().contains("still being looked up"), pending.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "no wait beyond the first");
        assertEquals(1, calls.get(), "one call in flight, not one per record");
        answer.countDown();
        // The pending lookup completes on its own thread; the next record's lookup then answers at once.
        final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String value = null;
        while (value == null && System.nanoTime() < deadline) {
            try {
                value = guard.deserialize("t", framed(1));
            } catch (SchemaIdGuard.UnknownSchemaId stillPending) {
                Thread.sleep(20);
            }
        }
        assertEquals("late", value);
    }

    private static byte[] framed(int id) {
        return ByteBuffer.allocate(6).put((byte) 0).putInt(id).put((byte) 1).array();
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-30T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
