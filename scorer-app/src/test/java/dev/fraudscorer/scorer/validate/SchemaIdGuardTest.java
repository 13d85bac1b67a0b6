package dev.fraudscorer.scorer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.apicurio.registry.rest.client.models.ProblemDetails;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class SchemaIdGuardTest {

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
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 10, clock);
        final SerializationException e = assertThrows(SerializationException.class,
                () -> guard.deserialize("t", "{\"not\": \"avro\"}".getBytes()));
        assertFalse(e instanceof SchemaIdGuard.UnknownSchemaId);
        assertThrows(SerializationException.class, () -> guard.deserialize("t", new byte[] {0, 0, 1}));
        assertEquals(List.of(), lookups);
    }

    @Test
    void anIdTheRegistryDidNotKnowIsRememberedForAMinute() {
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 10, clock);
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(77)));
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(77)));
        assertEquals(List.of(77), lookups, "asked once");
        clock.advance(Duration.ofMillis(SchemaIdGuard.UNKNOWN_FOR_MS + 1));
        assertThrows(SchemaIdGuard.UnknownSchemaId.class, () -> guard.deserialize("t", framed(77)));
        assertEquals(List.of(77, 77), lookups, "asked again once the minute is over (it may be registered now)");
    }

    @Test
    void newIdsGetALookupBudgetKnownIdsAreNeverRefused() {
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 2, clock);
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
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(registry, 10, clock);
        final byte[] corrupt = ByteBuffer.allocate(6).put((byte) 0).putInt(2).put((byte) 0x7F).array();
        assertThrows(AvroRuntimeException.class, () -> guard.deserialize("t", corrupt));
        assertEquals("ok-2", guard.deserialize("t", framed(2)));
    }

    @Test
    void aRegistryThatDidNotAnswerInTimeIsReplayableAndTheIdIsAskedAgain() {
        final int[] calls = {0};
        final Deserializer<String> slow = (topic, data) -> {
            if (calls[0]++ == 0) {
                throw new dev.fraudscorer.topics.BoundedRegistryCalls.Timeout("did not answer");
            }
            return "ok";
        };
        final SchemaIdGuard<String> guard = new SchemaIdGuard<>(slow, 10, clock);
        final SchemaIdGuard.UnknownSchemaId e = assertThrows(SchemaIdGuard.UnknownSchemaId.class,
                () -> guard.deserialize("t", framed(5)));
        assertEquals("schema id 5 could not be resolved now: did not answer; replay this record later", e.getMessage());
        assertEquals("ok", guard.deserialize("t", framed(5)), "not remembered as unknown");
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
