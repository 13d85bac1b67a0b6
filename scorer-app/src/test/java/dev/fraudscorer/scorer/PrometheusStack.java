package dev.fraudscorer.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Real Prometheus and Alertmanager from Debian's packages ({@code apt-get install prometheus prometheus-alertmanager};
 * {@code .ci/run} installs them), as child processes on free loopback ports with the project's rule file and
 * Alertmanager routing (infra/prometheus/), the webhook URL pointed at the test's.
 */
final class PrometheusStack implements AutoCloseable {

    static final Path CONFIG_DIR = Path.of("../infra/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process prometheus;
    private final Process alertmanager;
    final int prometheusPort;
    final int alertmanagerPort;
    final Path dir;

    private PrometheusStack(Path dir, List<Integer> scorerPorts, int webhookPort, Path webhookToken)
            throws IOException, InterruptedException {
        this.dir = dir;
        for (String binary : List.of("/usr/bin/prometheus", "/usr/bin/prometheus-alertmanager")) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new IllegalStateException(binary + " is missing: apt-get install prometheus prometheus-alertmanager"
                        + " (.ci/run does this)");
            }
        }
        Files.createDirectories(dir);
        prometheusPort = freePort();
        alertmanagerPort = freePort();
        Files.copy(CONFIG_DIR.resolve("fraud-scorer-rules.yml"), dir.resolve("fraud-scorer-rules.yml"));
        Files.writeString(dir.resolve("alertmanager.yml"), Files.readString(CONFIG_DIR.resolve("alertmanager.yml"))
                .replace("127.0.0.1:9095", "127.0.0.1:" + webhookPort)
                .replace("../../local-stack/webhook.token", webhookToken.toAbsolutePath().toString()));
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [fraud-scorer-rules.yml]
                alerting:
                  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:%d"]}]}]
                scrape_configs:
                  - job_name: fraud-scorer
                    static_configs: [{targets: [%s]}]
                """.formatted(alertmanagerPort, scorerPorts.stream().map(p -> "\"127.0.0.1:" + p + "\"")
                .collect(Collectors.joining(", "))));
        alertmanager = start("alertmanager", List.of("/usr/bin/prometheus-alertmanager",
                "--config.file=" + dir.resolve("alertmanager.yml"), "--storage.path=" + dir.resolve("am-data"),
                "--web.listen-address=127.0.0.1:" + alertmanagerPort, "--cluster.listen-address="));
        prometheus = start("prometheus", List.of("/usr/bin/prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + prometheusPort));
        awaitReady("http://127.0.0.1:" + alertmanagerPort + "/-/ready", alertmanager);
        awaitReady("http://127.0.0.1:" + prometheusPort + "/-/ready", prometheus);
    }

    /** @param webhookToken the webhook's token file, which the shipped Alertmanager config reads */
    static PrometheusStack start(Path dir, List<Integer> scorerPorts, int webhookPort, Path webhookToken)
            throws IOException, InterruptedException {
        return new PrometheusStack(dir, scorerPorts, webhookPort, webhookToken);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process start(String name, List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private void awaitReady(String url, Process process) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(url + ": the process exited " + process.exitValue() + "; see the logs in " + dir);
            }
            try {
                if (get(url).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException(url + " not ready in 30 s; see the logs in " + dir);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The series an instant query returns (possibly none). */
    JsonNode query(String promql) throws IOException, InterruptedException {
        final HttpResponse<String> response = get("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        final JsonNode body = JSON.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IOException("query failed: " + promql + ": " + response.body());
        }
        return body.path("data").path("result");
    }

    /** Alerts Prometheus holds, with their state (pending / firing). */
    JsonNode alerts() throws IOException, InterruptedException {
        return JSON.readTree(get("http://127.0.0.1:" + prometheusPort + "/api/v1/alerts").body()).path("data").path("alerts");
    }

    /** Scrape targets and their health, for failure messages. */
    String targets() throws IOException, InterruptedException {
        return get("http://127.0.0.1:" + prometheusPort + "/api/v1/targets").body();
    }

    @Override
    public void close() {
        for (Process p : List.of(prometheus, alertmanager)) {
            p.destroy();
        }
        for (Process p : List.of(prometheus, alertmanager)) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
