package dev.fraudscorer.control.cli;

import dev.fraudscorer.startup.ClassArchiveRun;
import com.sun.net.httpserver.HttpServer;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.ScorerStatus;
import dev.fraudscorer.topics.HttpRegistrySerdes;
import dev.fraudscorer.topics.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/**
 * Runs what a command loads, without a cluster, so that a JVM run with {@code -XX:ArchiveClassesAtExit} writes a
 * class-data-sharing archive of it ({@code model-control.jsa}, built after packaging; {@code bin/model-control} uses
 * it): every command's help, a key pair, {@code status} against a broker that refuses connections (the consumer,
 * SASL/SCRAM), a producer, and each control topic's value encoded and decoded through {@link HttpRegistrySerdes}
 * against a small in-process registry that serves only those schemas. A command is a short-lived process whose
 * start is most of its time; the archive saves it the class loading (README, "Model lifecycle").
 */
public final class ClassArchiveTraining {

    private static final long CLIENT_MS = 3_000;

    private ClassArchiveTraining() {
    }

    public static void main(String[] args) {
        ClassArchiveRun.exitAfter("model-control", ClassArchiveTraining::run);
    }

    private static void run(Path dir) throws Exception {
        final CommandLine cli = ModelControlMain.commandLine();
        final StringWriter sink = new StringWriter();
        cli.setOut(new PrintWriter(sink));
        cli.setErr(new PrintWriter(sink));
        for (String command : new ArrayList<>(cli.getSubcommands().keySet())) {
            cli.execute(command, "--help");
        }
        final Path key = dir.resolve("operator");
        cli.execute("keys", "generate", "--out", key.toString());

        final HttpServer registry = schemaServer(List.of(ModelControl.getClassSchema(), ModelVersion.getClassSchema(),
                ScorerStatus.getClassSchema()));
        try {
            final String url = "http://127.0.0.1:" + registry.getAddress().getPort();
            roundTrip(url, Topics.MODEL_CONTROL.name(), ModelControl.getClassSchema());
            roundTrip(url, Topics.MODEL_REGISTRY.name(), ModelVersion.getClassSchema());
            roundTrip(url, Topics.SCORER_STATUS.name(), ScorerStatus.getClassSchema());
        } finally {
            registry.stop(0);
        }

        final Properties client = new Properties();
        client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        client.put("security.protocol", "SASL_PLAINTEXT");
        client.put("sasl.mechanism", "SCRAM-SHA-512");
        client.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"training\" password=\"training\";");
        final Path config = dir.resolve("client.properties");
        try (var out = Files.newOutputStream(config)) {
            client.store(out, null);
        }
        final Thread status = new Thread(() -> ModelControlMain.commandLine().setOut(new PrintWriter(sink))
                .setErr(new PrintWriter(sink)).execute("status", "--command-config", config.toString()),
                "training-status");
        status.setDaemon(true);
        status.start();
        client.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(client, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.partitionsFor(Topics.MODEL_CONTROL.name());
        } catch (RuntimeException expected) {
            // no broker: what matters is what the producer loaded on the way
        }
        Thread.sleep(CLIENT_MS);
    }

    /** A record of {@code schema} (defaults, else empty values) written and read back. */
    private static void roundTrip(String url, String topic, Schema schema) {
        final Serde<SpecificRecord> serde = HttpRegistrySerdes.values(url, schema);
        final SpecificData data = SpecificData.get();
        final SpecificRecord record = (SpecificRecord) data.newRecord(null, schema);
        for (Schema.Field f : schema.getFields()) {
            record.put(f.pos(), f.hasDefaultValue() ? data.getDefaultValue(f) : switch (f.schema().getType()) {
                case STRING -> "training";
                case INT -> 0;
                case LONG -> f.schema().getLogicalType() != null ? java.time.Instant.EPOCH : (Object) 0L;
                case BYTES -> ByteBuffer.allocate(0);
                default -> null;
            });
        }
        serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, record));
    }

    /** Answers the two requests {@link HttpRegistrySerdes} makes, for {@code schemas} only (content id = index). */
    private static HttpServer schemaServer(List<Schema> schemas) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            final String path = exchange.getRequestURI().getPath();
            String body = "{\"contentId\":0}";
            if (path.startsWith("/ids/contentIds/")) {
                body = schemas.get(Integer.parseInt(path.substring("/ids/contentIds/".length()))).toString();
            } else {
                for (int i = 0; i < schemas.size(); i++) {
                    if (path.contains("/artifacts/" + topicOf(schemas.get(i)) + "-value/")) {
                        body = "{\"contentId\":" + i + "}";
                    }
                }
            }
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    private static String topicOf(Schema schema) {
        return schema.equals(ModelControl.getClassSchema()) ? Topics.MODEL_CONTROL.name()
                : schema.equals(ModelVersion.getClassSchema()) ? Topics.MODEL_REGISTRY.name() : Topics.SCORER_STATUS.name();
    }
}
