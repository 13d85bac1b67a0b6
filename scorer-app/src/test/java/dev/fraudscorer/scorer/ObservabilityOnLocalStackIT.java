package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fraudscorer.control.cli.ModelControlMain;
import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Observability end to end on the real stack: two scorer instances wired as in production (ScorerProcess), scraped by
 * a real Prometheus evaluating the project's alert rules, with a real Alertmanager routing to {@code model-control
 * webhook}. Every query of every dashboard panel returns a series; then a broken version (its screening flags every
 * input) is promoted, FraudScorerOutlierSurge fires, Alertmanager calls the webhook, the webhook publishes the
 * rollback, and verdicts return to the previous version on every partition. Prints how long that took.
 */
class ObservabilityOnLocalStackIT {

    private static final Instant EPOCH = Instant.parse("2018-06-01T00:00:00Z");

    @Test
    void panelsHaveDataAndABadVersionIsRolledBackByItsAlert() throws Exception {
        final Path dir = Files.createTempDirectory(Path.of("target"), "observability-");
        try (LocalStack stack = LocalStack.start(LocalStack.Options.freePorts(dir))) {
            final Path key = TestKeys.writeTrainer(dir.resolve("keys"));
            // Screening fitted on the 32 reference rows is tighter than on a training window; a threshold of 20 robust
            // z-scores keeps this test's synthetic traffic mostly inside it, while 0 flags every input.
            TestBundles.screened(20.0).writeTo(dir.resolve("v1"));
            TestBundles.screened(0.0).writeTo(dir.resolve("v2-broken"));
            final List<ScorerProcess> scorers = new ArrayList<>();
            final int webhookPort = PrometheusStack.freePort();
            final Path webhookToken = dir.resolve("webhook.token");
            final Thread webhook = new Thread(() -> ModelControlMain.commandLine().execute("webhook", "--port",
                    String.valueOf(webhookPort), "--cool-down", "10m", "--token-file", webhookToken.toString(),
                    "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                    "--command-config", stack.clientConfigFile(dev.fraudscorer.topics.Access.Role.WEBHOOK).toString()),
                    "webhook");
            try (ScorerCluster verdicts = ScorerCluster.start(stack, dir, dir.resolve("keys/trainer.pub"), 0)) {
                ok(verdicts.cli("publish", dir.resolve("v1").toString(), "--signing-key", key.toString()));
                ok(verdicts.cli("publish", dir.resolve("v2-broken").toString(), "--signing-key", key.toString()));
                ok(verdicts.cli("promote", "1"));
                for (String id : List.of("a", "b")) {
                    final Map<String, String> settings = ScorerCluster.connection(stack);
                    settings.putAll(Map.of(
                            ScorerConfig.APPLICATION_ID, "fraud-scorer-observability-it",
                            ScorerConfig.INSTANCE_ID, "scorer-" + id,
                            ScorerConfig.METRICS_PORT, "0",
                            ScorerConfig.DRIFT_WINDOW_RECORDS, "200",
                            ScorerConfig.TRUSTED_KEYS, dir.resolve("keys/trainer.pub").toString(),
                            ScorerConfig.STATE_DIR, dir.resolve("state-" + id).toString()));
                    scorers.add(ScorerProcess.start(new ScorerConfig(settings)));
                }
                webhook.setDaemon(true);
                webhook.start();
                awaitToken(webhookToken);
                unauthenticatedRollbackIsRefused(stack, webhookPort);
                try (PrometheusStack prometheus = PrometheusStack.start(dir.resolve("prometheus"),
                        scorers.stream().map(ScorerProcess::metricsPort).toList(), webhookPort, webhookToken);
                     ScorerCluster.Load traffic = verdicts.load(300, traffic(stack))) {
                    awaitReady(scorers);
                    ok(verdicts.cli("shadow", "2"));
                    everyPanelQueryReturnsASeries(prometheus);
                    ok(verdicts.cli("shadow", "--clear"));

                    final long promoted = System.currentTimeMillis();
                    ok(verdicts.cli("promote", "2", "--reason", "test: a broken version"));
                    final long backOnV1 = awaitBackOnVersion1(verdicts, promoted, Duration.ofMinutes(3), prometheus);
                    System.out.printf("automatic rollback: promote of broken version 2 -> FraudScorerOutlierSurge"
                            + " firing -> Alertmanager -> webhook -> rollback record -> every partition's verdicts on"
                            + " version 1 again: %.1f s end to end%n", (backOnV1 - promoted) / 1000.0);

                    final String show = verdicts.cli("status").out();
                    assertTrue(show.contains("active version 1") && show.contains("set by alertmanager-webhook")
                            && show.contains("alert FraudScorerOutlierSurge on version 2") && show.contains("rolled back [2]"),
                            show);
                    assertTrue(traffic.sent.get() > 0);
                    System.out.println("outlier ratio per version: " + prometheus.query("fraud:outlier_ratio:1m"));
                }
            } finally {
                webhook.interrupt();
                scorers.forEach(ScorerProcess::close);
            }
        }
    }

    private static void awaitToken(Path token) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(token)) {
            assertTrue(System.nanoTime() < deadline, "the webhook writes its token file within 30 s");
            Thread.sleep(50);
        }
    }

    /** A rollback request without the bearer token: 401, and the model-control topic does not change. */
    private static void unauthenticatedRollbackIsRefused(LocalStack stack, int webhookPort) throws Exception {
        final String firing = """
                {"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"FraudScorerOutlierSurge",
                 "model":"fraud","model_version":"1","rollback":"true"},"annotations":{"summary":"forged"}}]}""";
        final long before = controlEndOffset(stack);
        final HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> reply = null;
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (reply == null) {
            try {
                reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webhookPort + "/alerts"))
                        .POST(HttpRequest.BodyPublishers.ofString(firing)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException notYet) {
                assertTrue(System.nanoTime() < deadline, "the webhook listens within 30 s");
                Thread.sleep(100);
            }
        }
        assertEquals(401, reply.statusCode(), reply.body());
        assertEquals(before, controlEndOffset(stack), "nothing written to model-control");
    }

    private static long controlEndOffset(LocalStack stack) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                stack.clientConfig(dev.fraudscorer.topics.Access.Role.OPERATOR),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            final var parts = consumer.partitionsFor(dev.fraudscorer.topics.Topics.MODEL_CONTROL.name()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static void awaitReady(List<ScorerProcess> scorers) throws Exception {
        final HttpClient http = HttpClient.newHttpClient();
        final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (ScorerProcess s : scorers) {
            while (true) {
                final var ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.metricsPort()
                        + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
                final var health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.metricsPort()
                        + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    assertEquals(200, health.statusCode());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("/ready still " + ready.statusCode() + ": " + ready.body());
                }
                Thread.sleep(200);
            }
        }
    }

    /** Polls every target of every panel of every dashboard until each returns at least one series. */
    private static void everyPanelQueryReturnsASeries(PrometheusStack prometheus) throws Exception {
        final Map<String, String> queries = new LinkedHashMap<>();
        try (var files = Files.list(Path.of("../grafana-provisioning/dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                final JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        queries.put(file.getFileName() + " / " + panel.path("title").asText() + " / "
                                + target.path("legendFormat").asText(), target.path("expr").asText());
                    }
                }
            }
        }
        assertTrue(queries.size() >= 12, "dashboards found: " + queries.keySet());
        final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<String, String> empty = queries;
        while (!empty.isEmpty()) {
            final Map<String, String> stillEmpty = new LinkedHashMap<>();
            for (var q : empty.entrySet()) {
                if (prometheus.query(q.getValue()).isEmpty()) {
                    stillEmpty.put(q.getKey(), q.getValue());
                }
            }
            empty = stillEmpty;
            if (!empty.isEmpty() && System.nanoTime() > deadline) {
                throw new AssertionError("panel queries with no series after 120 s: " + empty + "\ntargets: "
                        + prometheus.targets());
            }
            Thread.sleep(1000);
        }
        System.out.println("every one of " + queries.size() + " dashboard panel queries returns at least one series");
    }

    /**
     * Waits until version 2 has served and then every partition has served version 1 again after it; returns when
     * the last partition came back (verdict scoredAt).
     */
    private static long awaitBackOnVersion1(ScorerCluster verdicts, long promoted, Duration timeout,
                                            PrometheusStack prometheus) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final Map<Integer, Long> firstV2 = new HashMap<>();
            final Map<Integer, Long> backOnV1 = new HashMap<>();
            for (ScorerCluster.Seen v : verdicts.verdicts.stream()
                    .sorted(java.util.Comparator.comparingLong(ScorerCluster.Seen::scoredAtMs)).toList()) {
                if (v.scoredAtMs() < promoted) {
                    continue;
                }
                if (v.version() == 2) {
                    firstV2.putIfAbsent(v.partition(), v.scoredAtMs());
                    backOnV1.remove(v.partition());
                } else if (firstV2.containsKey(v.partition())) {
                    backOnV1.putIfAbsent(v.partition(), v.scoredAtMs());
                }
            }
            if (backOnV1.size() == Topics.TRANSACTIONS.partitions()) {
                return backOnV1.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("verdicts did not return to version 1 on every partition within " + timeout
                + "; alerts: " + prometheus.alerts());
    }

    private static void ok(ScorerCluster.CliResult result) {
        assertEquals(0, result.code(), () -> result.out() + result.err());
    }

    /**
     * Transactions whose event time advances a minute each (so label windows of 7 days close within the test), a
     * fraud label for every 40th right after it, and a malformed record every 500th.
     */
    private static ScorerCluster.Sender traffic(LocalStack stack) {
        final var txSerde = AvroSerdes.<Transaction>values(stack.registryUrl());
        final var labelSerde = AvroSerdes.<FraudLabel>values(stack.registryUrl());
        return (producer, n) -> {
            final String customer = "c-" + (n % 3000);
            final Instant at = EPOCH.plusSeconds(60L * n);
            final Transaction tx = Transaction.newBuilder().setTransactionId("o-" + n).setEventTime(at)
                    .setCustomerId(customer).setTerminalId("term-" + (n % 400))
                    .setAmount(n % 97 == 0 ? 900 + n % 300 : 5 + n % 120).build();
            producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), customer,
                    txSerde.serializer().serialize(Topics.TRANSACTIONS.name(), tx)));
            if (n % 40 == 0) {
                producer.send(new ProducerRecord<>(Topics.FRAUD_LABELS.name(), tx.getTerminalId(),
                        labelSerde.serializer().serialize(Topics.FRAUD_LABELS.name(), FraudLabel.newBuilder()
                                .setTransactionId(tx.getTransactionId()).setCustomerId(customer)
                                .setTerminalId(tx.getTerminalId()).setTransactionTime(at).setFraud(true)
                                .setLabelledAt(at.plusSeconds(3600)).build())));
            }
            if (n % 500 == 250) {
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), customer,
                        "not avro".getBytes(StandardCharsets.UTF_8)));
            }
        };
    }
}
