package dev.fraudscorer.topics;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes for the catalogue's Avro values through an Apicurio Registry: the writer's schema id travels in the
 * payload (Confluent-compatible framing), readers get the generated SpecificRecord classes. Writers never register:
 * the apply step ({@link SchemaRegistrar}) registers every schema with a BACKWARD rule before any client runs, and
 * writers use the latest registered version. Auto-registration raced when two instances wrote their first record
 * at once (one got a rule violation and dead-lettered a verdict).
 */
public final class AvroSerdes {

    /**
     * Apicurio's client logs a WARNING on its first use in a process, recommending an application-managed Vert.x
     * instance; each process here has one shared instance for its whole life, which is what that default is, so the
     * notice is only noise at every scorer, demo and verifier start. Held here: java.util.logging keeps loggers
     * weakly, and a collected one forgets its level.
     */
    private static final java.util.logging.Logger VERTX_NOTICE =
            java.util.logging.Logger.getLogger("io.apicurio.registry.client.common.DefaultVertxInstance");

    static {
        VERTX_NOTICE.setLevel(java.util.logging.Level.SEVERE);
    }

    private AvroSerdes() {
    }

    /** @param registryUrl e.g. {@code http://127.0.0.1:8081/apis/registry/v3} */
    public static <T extends SpecificRecord> Serde<T> values(String registryUrl) {
        final Map<String, Object> config = config(registryUrl);
        final AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>(
                SharedSchemaResolver.<T>of(registryUrl, "writer"));
        serializer.configure(config, false);
        final AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>(
                SharedSchemaResolver.<T>of(registryUrl, "reader"));
        deserializer.configure(config, false);
        return Serdes.serdeFrom(new Bounded.Writer<>(serializer), new Bounded.Reader<>(deserializer));
    }

    /** The serde's registry calls bounded in time ({@link BoundedRegistryCalls}). */
    private static final class Bounded {

        static final class Writer<T> implements Serializer<T> {
            private final Serializer<T> delegate;
            private final BoundedRegistryCalls calls = new BoundedRegistryCalls(BoundedRegistryCalls.ATTEMPT,
                    BoundedRegistryCalls.COOL_DOWN);

            Writer(Serializer<T> delegate) {
                this.delegate = delegate;
            }

            @Override
            public byte[] serialize(String topic, T data) {
                // Warm (every record after a topic's first): no capturing lambda per record on the hot path.
                return data == null || calls.isWarm(topic) ? delegate.serialize(topic, data)
                        : calls.call(topic, () -> delegate.serialize(topic, data));
            }

            @Override
            public byte[] serialize(String topic, Headers headers, T data) {
                return data == null || calls.isWarm(topic) ? delegate.serialize(topic, headers, data)
                        : calls.call(topic, () -> delegate.serialize(topic, headers, data));
            }

            @Override
            public void close() {
                delegate.close();
            }
        }

        static final class Reader<T> implements Deserializer<T> {
            private final Deserializer<T> delegate;
            private volatile long lastWarmId = Long.MIN_VALUE; // no int id equals it before one answered
            private final BoundedRegistryCalls calls = new BoundedRegistryCalls(BoundedRegistryCalls.ATTEMPT,
                    BoundedRegistryCalls.COOL_DOWN);

            Reader(Deserializer<T> delegate) {
                this.delegate = delegate;
            }

            @Override
            public T deserialize(String topic, byte[] data) {
                return deserialize(topic, null, data);
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                if (data == null || data.length < 5 || data[0] != 0) {
                    return decode(topic, headers, data); // no schema id: nothing to look up
                }
                final int id = (data[1] & 0xFF) << 24 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 8 | (data[4] & 0xFF);
                // The last id that answered is compared as an int: no boxing or lambda per record on the hot path.
                if (id == lastWarmId) {
                    return decode(topic, headers, data);
                }
                final T value = calls.call(id, () -> decode(topic, headers, data));
                lastWarmId = id;
                return value;
            }

            private T decode(String topic, Headers headers, byte[] data) {
                return headers == null ? delegate.deserialize(topic, data) : delegate.deserialize(topic, headers, data);
            }

            @Override
            public void close() {
                delegate.close();
            }
        }
    }

    /**
     * How long a resolved schema stays cached. Apicurio's default, 30 s, evicts and fetches again over HTTP on the
     * thread that serializes: JFR showed the scorer's stream thread blocked in the registry client for 0.2-1.5 s at a
     * time, every 30 s and per serde instance, which was much of the latency tail. A schema id never changes what it
     * names; the latest version a writer uses changes only with a schema rollout, which restarts the writers.
     */
    static final long SCHEMA_CACHE_MS = 24L * 3600 * 1000;

    /** The same settings for clients configured by properties (value.serializer=...). */
    public static Map<String, Object> config(String registryUrl) {
        return Map.of(
                "apicurio.registry.url", registryUrl,
                "apicurio.registry.auto-register", false,
                "apicurio.registry.find-latest", true,
                "apicurio.registry.use-specific-avro-reader", true,
                "apicurio.registry.avro-datum-provider", SchemaIdentityDatumProvider.class.getName(),
                "apicurio.registry.check-period-ms", SCHEMA_CACHE_MS,
                // A refresh that fails (registry down) keeps what was cached instead of failing the record.
                "apicurio.registry.fault-tolerant-refresh", true);
    }
}
