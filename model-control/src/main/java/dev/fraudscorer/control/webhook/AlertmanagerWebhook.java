package dev.fraudscorer.control.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Alertmanager webhook notifications (JSON, version 4) on {@code POST /alerts}. Every firing alert labelled
 * {@code rollback="true"} is handed to {@link Action} with its model, version and name. The reply is 200 whether or
 * not a rollback happened (a refused rollback is a decision, and Alertmanager would only resend it), and 503 when
 * carrying one out failed, so that Alertmanager retries. Every request must carry {@code Authorization: Bearer
 * <token>} (Alertmanager's {@code http_config.authorization}); without it: 401, and nothing is read or done. A
 * rollback is a write to model-control, and anyone who reaches the port could otherwise trigger one.
 */
public final class AlertmanagerWebhook implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 1 << 20;

    /** A firing alert asking for a rollback. */
    public record RollbackAlert(String alertName, String model, Integer version, String summary) {
    }

    @FunctionalInterface
    public interface Action {
        /** @return one line saying what was done, for the reply and the log */
        String onAlert(RollbackAlert alert);
    }

    private final HttpServer server;

    public AlertmanagerWebhook(String host, int port, String defaultModel, String bearerToken, Action action)
            throws IOException {
        if (bearerToken == null || bearerToken.length() < 16) {
            throw new IllegalArgumentException("the webhook needs a bearer token of at least 16 characters");
        }
        final byte[] expected = ("Bearer " + bearerToken).getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/alerts", ex -> {
            final String auth = ex.getRequestHeaders().getFirst("Authorization");
            // Constant-time: the comparison must not tell a caller how much of a guess was right.
            if (auth == null || !java.security.MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8))) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                reply(ex, 401, "a bearer token is required (Alertmanager: http_config.authorization)\n");
                LOG.warn("refused a request to /alerts from {} without the bearer token", ex.getRemoteAddress());
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "POST an Alertmanager webhook payload\n");
                return;
            }
            final List<RollbackAlert> alerts;
            try (InputStream in = ex.getRequestBody()) {
                alerts = parse(in.readNBytes(MAX_BODY), defaultModel);
            } catch (IOException | RuntimeException e) {
                reply(ex, 400, "not an Alertmanager payload: " + e.getMessage() + "\n");
                return;
            }
            final StringBuilder out = new StringBuilder();
            boolean failed = false;
            for (RollbackAlert alert : alerts) {
                String result;
                try {
                    result = action.onAlert(alert);
                } catch (RuntimeException e) {
                    failed = true;
                    result = "failed: " + e.getMessage();
                    LOG.error("rollback for alert {} failed", alert.alertName(), e);
                }
                LOG.info("alert {} on {}/{}: {}", alert.alertName(), alert.model(), alert.version(), result);
                out.append(alert.alertName()).append(": ").append(result).append('\n');
            }
            // 503 when a rollback could not be carried out (e.g. Kafka unreachable): Alertmanager retries the
            // notification. A refusal by the guard is an answer, not a failure.
            reply(ex, failed ? 503 : 200, out.length() == 0 ? "no firing rollback alerts\n" : out.toString());
        });
        server.createContext("/health", ex -> reply(ex, 200, "live\n"));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Firing alerts labelled rollback="true"; resolved ones and others are ignored. */
    static List<RollbackAlert> parse(byte[] body, String defaultModel) throws IOException {
        final JsonNode root = JSON.readTree(body);
        if (root == null || !root.path("alerts").isArray()) {
            throw new IllegalArgumentException("no 'alerts' array");
        }
        final List<RollbackAlert> out = new ArrayList<>();
        for (JsonNode alert : root.path("alerts")) {
            final JsonNode labels = alert.path("labels");
            if (!"firing".equals(alert.path("status").asText()) || !"true".equals(labels.path("rollback").asText())) {
                continue;
            }
            final String version = labels.path("model_version").asText("");
            out.add(new RollbackAlert(labels.path("alertname").asText("unnamed"),
                    labels.path("model").asText(defaultModel),
                    version.matches("\\d{1,9}") ? Integer.valueOf(version) : null,
                    alert.path("annotations").path("summary").asText("")));
        }
        return out;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
