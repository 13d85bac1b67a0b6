package dev.fraudscorer.scorer.validate;

import dev.fraudscorer.topics.BoundedRegistryCalls;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Stands between input bytes and the registry-backed deserializer so that garbage cannot turn into registry calls.
 * Each record names its writer schema by id in its framing ({@code 0x00} + 4-byte id, see
 * {@link dev.fraudscorer.topics.AvroSerdes}); an id never seen makes the deserializer ask the registry over HTTP, on
 * the stream thread. Mutation fuzzing found the cost: every corrupted framing was one such call (tens of ms each,
 * with an ERROR and a stack trace in the log), so 100,000 mutated records stalled the scorer for minutes. Here:
 * bytes that are not framed fail without a call; an id the registry did not know is remembered as unknown for a
 * while; and ids never seen get at most {@code lookupsPerSecond} lookups a second, the rest failing at once. A
 * failure here is {@link UnknownSchemaId}: the record is dead-lettered with a reason a replay can select once the
 * schema is registered. Ids that decoded once skip all of this (the registry going down does not affect them).
 * A registry that does not answer in time ({@link BoundedRegistryCalls.Timeout}, from the serde) is the same kind of
 * failure, but the id is not remembered as unknown: it is asked again on a later record.
 */
public final class SchemaIdGuard<T> implements Deserializer<T> {

    /** The record names a schema id that is unknown, or that could not be looked up now. */
    public static final class UnknownSchemaId extends SerializationException {
        UnknownSchemaId(String message) {
            super(message);
        }

        UnknownSchemaId(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final long UNKNOWN_FOR_MS = 60_000;
    private static final int MAX_REMEMBERED = 10_000;
    private static final byte MAGIC = 0;

    private final Deserializer<T> delegate;
    private final Clock clock;
    private final double lookupsPerSecond;
    private final Set<Integer> known = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> unknownUntil = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private double tokens;
    private long refilledAtMs;

    public SchemaIdGuard(Deserializer<T> delegate, double lookupsPerSecond, Clock clock) {
        this.delegate = delegate;
        this.lookupsPerSecond = lookupsPerSecond;
        this.clock = clock;
        this.tokens = lookupsPerSecond;
        this.refilledAtMs = clock.millis();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        delegate.configure(configs, isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        if (data == null || data.length < 5 || data[0] != MAGIC) {
            throw new SerializationException("not a registry-framed Avro record: expected magic byte 0 and a 4-byte"
                    + " schema id, got " + (data == null ? "null" : data.length + " bytes starting "
                    + (data.length == 0 ? "-" : String.format("0x%02x", data[0]))));
        }
        final int id = (data[1] & 0xFF) << 24 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 8 | (data[4] & 0xFF);
        if (known.contains(id)) {
            return decode(topic, headers, data);
        }
        admit(id);
        try {
            final T value = decode(topic, headers, data);
            known.add(id);
            return value;
        } catch (BoundedRegistryCalls.Timeout e) {
            throw new UnknownSchemaId("schema id " + id + " could not be resolved now: " + e.getMessage()
                    + "; replay this record later", e);
        } catch (RuntimeException e) {
            if (fromRegistry(e)) {
                synchronized (this) {
                    unknownUntil.put(id, clock.millis() + UNKNOWN_FOR_MS);
                }
                throw new UnknownSchemaId("schema id " + id + " could not be resolved by the registry ("
                        + e.getClass().getSimpleName() + "); register the writer's schema, then replay", e);
            }
            throw e;
        }
    }

    private T decode(String topic, Headers headers, byte[] data) {
        return headers == null ? delegate.deserialize(topic, data) : delegate.deserialize(topic, headers, data);
    }

    /** Refuses an id remembered as unknown, or a lookup over the budget. */
    private synchronized void admit(int id) {
        final long now = clock.millis();
        final Long until = unknownUntil.get(id);
        if (until != null && until > now) {
            throw new UnknownSchemaId("schema id " + id + " was not found in the registry less than "
                    + UNKNOWN_FOR_MS / 1000 + " s ago; register the writer's schema, then replay");
        }
        tokens = Math.min(lookupsPerSecond, tokens + (now - refilledAtMs) * lookupsPerSecond / 1000.0);
        refilledAtMs = now;
        if (tokens < 1) {
            throw new UnknownSchemaId("schema id " + id + " is new and the registry lookup budget ("
                    + lookupsPerSecond + "/s) is spent on other new ids; replay this record later");
        }
        tokens -= 1;
    }

    /** A failure of the registry call (not found, unreachable), as opposed to bytes that do not decode. */
    private static boolean fromRegistry(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            final String name = t.getClass().getName();
            if (name.startsWith("io.apicurio.registry.rest.client") || name.startsWith("com.microsoft.kiota")
                    || name.startsWith("io.apicurio.registry.resolver") || name.startsWith("io.vertx")
                    || t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
