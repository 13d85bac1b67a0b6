package dev.fraudscorer.control.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The HTTP contract Alertmanager sees: 200 for handled or refused, 503 to make it retry, 400 / 405 for misuse. */
class AlertmanagerWebhookTest {

    private static final String FIRING = """
            {"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"FraudScorerOutlierSurge",
             "model":"fraud","model_version":"2","rollback":"true"},"annotations":{"summary":"s"}}]}""";

    private static final String TOKEN = "test-token-0123456789abcdef";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answersEachNotificationAndAsksForARetryOnlyWhenTheRollbackFailed() throws Exception {
        final List<AlertmanagerWebhook.RollbackAlert> seen = new CopyOnWriteArrayList<>();
        final boolean[] fail = {false};
        try (AlertmanagerWebhook webhook = new AlertmanagerWebhook("127.0.0.1", 0, "fraud", TOKEN, alert -> {
            seen.add(alert);
            if (fail[0]) {
                throw new IllegalStateException("broker unreachable");
            }
            return "rolled back";
        })) {
            final String url = "http://127.0.0.1:" + webhook.port() + "/alerts";
            final var ok = post(url, FIRING);
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("FraudScorerOutlierSurge: rolled back"), ok.body());
            assertEquals(1, seen.size());

            fail[0] = true;
            final var failed = post(url, FIRING);
            assertEquals(503, failed.statusCode(), failed.body());
            assertTrue(failed.body().contains("broker unreachable"));

            assertEquals(400, post(url, "not json").statusCode());
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(2, seen.size(), "malformed requests reach no action");
        }
    }

    @Test
    void aRequestWithoutTheBearerTokenIsRefusedAndReachesNoAction() throws Exception {
        final List<AlertmanagerWebhook.RollbackAlert> seen = new CopyOnWriteArrayList<>();
        try (AlertmanagerWebhook webhook = new AlertmanagerWebhook("127.0.0.1", 0, "fraud", TOKEN, alert -> {
            seen.add(alert);
            return "rolled back";
        })) {
            final String url = "http://127.0.0.1:" + webhook.port() + "/alerts";
            for (String auth : new String[] {null, "Bearer wrong-token-of-some-length", "Basic " + TOKEN, TOKEN}) {
                final var request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(FIRING));
                if (auth != null) {
                    request.header("Authorization", auth);
                }
                final var reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, reply.statusCode(), String.valueOf(auth));
                assertEquals("Bearer", reply.headers().firstValue("WWW-Authenticate").orElse(""));
            }
            assertEquals(List.of(), seen);
            assertEquals(200, post(url, FIRING).statusCode());
            assertEquals(1, seen.size());
        }
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
