package dev.fraudscorer.scorer;

import dev.fraudscorer.startup.ClassArchiveRun;
import dev.fraudscorer.bundle.BundleSigning;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the scorer's whole wiring for a few seconds against a broker and a registry that refuse connections, then
 * exits, so that a JVM run with {@code -XX:ArchiveClassesAtExit=scorer-app.jsa} writes a class-data-sharing archive
 * of the classes a start loads (Kafka Streams and its clients, Avro, Apicurio's client, Micrometer: about 8,000).
 * The build runs it once after packaging; launchers pass {@code -XX:SharedArchiveFile=scorer-app.jsa}, and a start
 * then maps those classes already parsed and verified instead of loading them from the jars: on this 2-core machine
 * that is about 2 s of a {@code kill -9} restart (README, "A crash costs nothing"). Without a broker nothing is
 * scored, but that changes little: the measured gain equals that of an archive written by a real scorer's run.
 */
public final class ClassArchiveTraining {

    private static final long RUN_MS = 4_000;

    private ClassArchiveTraining() {
    }

    public static void main(String[] args) {
        ClassArchiveRun.exitAfter("scorer", ClassArchiveTraining::run);
    }

    private static void run(Path dir) throws IOException, InterruptedException {
        final Path key = dir.resolve("training");
        BundleSigning.write(BundleSigning.generate(), key);
        final String pub = key.resolveSibling("training.pub").toString();
        final int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        final ScorerConfig config = new ScorerConfig(Map.of(
                ScorerConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1",
                ScorerConfig.REGISTRY_URL, "http://127.0.0.1:1/apis/registry/v3",
                ScorerConfig.METRICS_PORT, Integer.toString(port),
                ScorerConfig.STATE_DIR, dir.resolve("state").toString(),
                ScorerConfig.TRUSTED_KEYS, pub,
                ScorerConfig.CONTROL_TRUSTED_KEYS, pub));
        // KafkaStreams.start() waits for the global stores, which never come without a broker: start on a daemon
        // thread, let the clients try for a while, and exit without closing anything.
        final Thread start = new Thread(() -> {
            try {
                ScorerProcess.start(config);
            } catch (IOException e) {
                System.err.println("class archive training: " + e);
            }
        }, "training-start");
        start.setDaemon(true);
        start.start();
        Thread.sleep(RUN_MS);
        for (String path : new String[] {"/metrics", "/health", "/ready"}) {
            try {
                get("http://127.0.0.1:" + port + path);
            } catch (IOException e) {
                System.err.println("class archive training: " + path + ": " + e);
            }
        }
    }

    private static void get(String url) throws IOException {
        final HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.getResponseCode();
        try (InputStream in = connection.getErrorStream() != null ? connection.getErrorStream()
                : connection.getInputStream()) {
            in.readAllBytes();
        }
    }
}
