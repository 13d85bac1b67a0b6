package dev.fraudscorer.topics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.fraudscorer.schema.ModelControl;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The serdes' framing and their two registry requests, against a small HTTP server standing in for the registry's
 * two endpoints. That the bytes are the ones Apicurio's serdes write and read is checked against the real registry
 * in {@code ModelLifecycleOnLocalStackIT} (records written by one, read by the other, both ways).
 */
class HttpRegistrySerdesTest {

    private static final String TOPIC = Topics.MODEL_CONTROL.name();

    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;

    private String registry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            final String path = exchange.getRequestURI().getPath();
            requests.add(path);
            final String body = answers.get(path);
            final byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/registry/v3";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static ModelControl record() {
        return ModelControl.newBuilder().setModelName("fraud").setActiveVersion(3).setIssuedBy("ops")
                .setReason("test").setIssuedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).setGeneration(7)
                .build();
    }

    @Test
    void writesTheLatestContentIdAndReadsBackThroughTheWriterSchema() throws IOException {
        final String url = registry();
        answers.put("/apis/registry/v3/groups/default/artifacts/model-control-value/versions/branch=latest",
                "{\"version\":\"1\",\"globalId\":9,\"contentId\":42}");
        answers.put("/apis/registry/v3/ids/contentIds/42", ModelControl.getClassSchema().toString());
        final Serde<ModelControl> serde = HttpRegistrySerdes.values(url, ModelControl.getClassSchema());

        final byte[] bytes = serde.serializer().serialize(TOPIC, record());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 42}, java.util.Arrays.copyOf(bytes, 5), "magic byte, content id");
        assertEquals(record(), serde.deserializer().deserialize(TOPIC, bytes));
        serde.serializer().serialize(TOPIC, record());
        assertEquals(2, requests.size(), "the id and the schema are asked for once: " + requests);
    }

    @Test
    void readsARecordWrittenWithAnOlderSchemaOfTheSameRecord() throws IOException {
        final String url = registry();
        // An earlier model-control-value without the optional fields added since: what Avro resolution is for.
        final Schema older = SchemaBuilder.record("ModelControl").namespace("dev.fraudscorer.schema").fields()
                .requiredString("modelName").requiredInt("activeVersion").optionalInt("previousVersion")
                .requiredString("issuedBy").requiredString("reason").requiredLong("issuedAt").endRecord();
        answers.put("/apis/registry/v3/ids/contentIds/1", older.toString());
        final org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(older);
        old.put("modelName", "fraud");
        old.put("activeVersion", 2);
        old.put("issuedBy", "ops");
        old.put("reason", "old");
        old.put("issuedAt", 5L);
        final var out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0, 0, 1});
        final var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(older).write(old, encoder);
        encoder.flush();

        final ModelControl read = HttpRegistrySerdes.<ModelControl>values(url, ModelControl.getClassSchema())
                .deserializer().deserialize(TOPIC, out.toByteArray());
        assertEquals(2, read.getActiveVersion());
        assertEquals(0, read.getGeneration(), "a field the writer did not have takes its default");
    }

    @Test
    void refusesToWriteWhenTheRegistrysLatestSchemaIsNotThisBuilds() throws IOException {
        final String url = registry();
        answers.put("/apis/registry/v3/groups/default/artifacts/model-control-value/versions/branch=latest",
                "{\"contentId\":43}");
        answers.put("/apis/registry/v3/ids/contentIds/43", SchemaBuilder.record("ModelControl")
                .namespace("dev.fraudscorer.schema").fields().requiredString("other").endRecord().toString());
        final var e = assertThrows(HttpRegistrySerdes.RegistryException.class, () -> HttpRegistrySerdes
                .<ModelControl>values(url, ModelControl.getClassSchema()).serializer().serialize(TOPIC, record()));
        assertTrue(e.getMessage().contains("is not the schema this build writes"), e.getMessage());
    }

    @Test
    void anUnknownSchemaIdOrAnUnframedRecordIsAClearError() throws IOException {
        final String url = registry();
        final Serde<ModelControl> serde = HttpRegistrySerdes.values(url, ModelControl.getClassSchema());
        final var unknown = assertThrows(HttpRegistrySerdes.RegistryException.class,
                () -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 9, 1}));
        assertTrue(unknown.getMessage().contains("answered 404"), unknown.getMessage());
        final var unframed = assertThrows(IllegalArgumentException.class,
                () -> serde.deserializer().deserialize(TOPIC, "{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(unframed.getMessage().contains("without the registry framing"), unframed.getMessage());
    }

    @Test
    void aRegistryThatDoesNotAnswerFailsTheCallInsteadOfHoldingIt() throws IOException {
        // Accepts connections and never answers (the backlog holds them): the read timeout must end the call.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
            final String url = "http://127.0.0.1:" + silent.getLocalPort() + "/apis/registry/v3";
            final var e = assertThrows(HttpRegistrySerdes.RegistryException.class, () -> HttpRegistrySerdes
                    .<ModelControl>values(url, ModelControl.getClassSchema()).deserializer()
                    .deserialize(TOPIC, new byte[] {0, 0, 0, 0, 1, 0}));
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
        }
    }
}
