package dev.fraudscorer.topics;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The catalogue's Avro values in the same bytes as {@link AvroSerdes} (Apicurio's default framing: a zero byte, the
 * writer schema's 4-byte content id, Avro binary), with schemas fetched over the JDK's plain HTTP. For short-lived
 * commands: Apicurio's client brings Vert.x, Netty and Kiota, about 1,200 classes and 0.7 s of a CLI's start on this
 * machine. Long-running processes keep {@link AvroSerdes}. Each registry request is bounded (5 s to connect, 5 s to
 * answer).
 *
 * <p>A writer uses the latest registered version of {@code <topic>-value}, as {@link AvroSerdes} does, and refuses to
 * write when that schema is not the one this build was generated from: the registry's id would then describe
 * bytes it did not write.
 */
public final class HttpRegistrySerdes {

    static final int TIMEOUT_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpRegistrySerdes() {
    }

    /** The registry did not answer, or not as this build expects: not the caller's argument, one line to say so. */
    public static final class RegistryException extends IllegalStateException {
        RegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param registryUrl  e.g. {@code http://127.0.0.1:8081/apis/registry/v3}
     * @param readerSchema the generated class's schema ({@code ModelControl.getClassSchema()})
     */
    public static <T extends SpecificRecord> Serde<T> values(String registryUrl, Schema readerSchema) {
        final Registry registry = new Registry(registryUrl);
        return Serdes.serdeFrom(new Writer<>(registry), new Reader<>(registry, readerSchema));
    }

    private static final class Writer<T extends SpecificRecord> implements Serializer<T> {
        private final Registry registry;
        private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();

        Writer(Registry registry) {
            this.registry = registry;
        }

        @Override
        public byte[] serialize(String topic, T data) {
            if (data == null) {
                return null;
            }
            final int id = idByTopic.computeIfAbsent(topic, t -> registry.latestIdMatching(t + "-value", data.getSchema()));
            final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(0);
            out.write(id >>> 24);
            out.write(id >>> 16);
            out.write(id >>> 8);
            out.write(id);
            try {
                final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                new SpecificDatumWriter<T>(data.getSchema()).write(data, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode a " + data.getSchema().getName(), e);
            }
            return out.toByteArray();
        }
    }

    private static final class Reader<T> implements Deserializer<T> {
        private final Registry registry;
        private final Schema readerSchema;
        private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

        Reader(Registry registry, Schema readerSchema) {
            this.registry = registry;
            this.readerSchema = readerSchema;
        }

        @Override
        public T deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            if (data.length < 5 || data[0] != 0) {
                throw new IllegalArgumentException("a record of " + topic + " without the registry framing (magic byte"
                        + " and schema id)");
            }
            final int id = (data[1] & 0xFF) << 24 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 8 | (data[4] & 0xFF);
            final DatumReader<T> reader = readers.computeIfAbsent(id,
                    i -> new SpecificDatumReader<>(registry.schema(i), readerSchema));
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot decode a record of " + topic + " written with schema "
                        + id + ": " + e.getMessage(), e);
            }
        }
    }

    /** The two registry requests the serdes make, each bounded. */
    static final class Registry {
        private final String apiBase;

        Registry(String registryUrl) {
            this.apiBase = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
        }

        /** A content id names the same schema forever: each is asked for once per serde pair. */
        private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

        Schema schema(int contentId) {
            return schemas.computeIfAbsent(contentId, id -> new Schema.Parser().parse(get("/ids/contentIds/" + id)));
        }

        int latestIdMatching(String artifactId, Schema expected) {
            final String path = "/groups/" + SchemaRegistrar.GROUP + "/artifacts/"
                    + URLEncoder.encode(artifactId, StandardCharsets.UTF_8) + "/versions/branch=latest";
            final int id;
            try {
                id = JSON.readTree(get(path)).path("contentId").asInt(-1);
            } catch (IOException e) {
                throw new RegistryException("the registry's answer for " + artifactId + " is not JSON", e);
            }
            if (id < 0) {
                throw new RegistryException("the registry names no content id for the latest " + artifactId, null);
            }
            if (!schema(id).equals(expected)) {
                throw new RegistryException("the registry's latest " + artifactId + " (content id " + id
                        + ") is not the schema this build writes; use a build of the same schemas", null);
            }
            return id;
        }

        private String get(String path) {
            final String url = apiBase + path;
            try {
                final HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
                connection.setConnectTimeout(TIMEOUT_MS);
                connection.setReadTimeout(TIMEOUT_MS);
                final int status = connection.getResponseCode();
                if (status != 200) {
                    throw new RegistryException("the registry answered " + status + " to GET " + url, null);
                }
                try (InputStream in = connection.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new RegistryException("the registry did not answer GET " + url + ": " + e, e);
            }
        }
    }
}
