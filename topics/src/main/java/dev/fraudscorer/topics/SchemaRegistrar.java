package dev.fraudscorer.topics;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Registers each topic's value schema in an Apicurio Registry (v3 REST API) under the artifact id the serde's
 * TopicIdStrategy uses, and sets a BACKWARD compatibility rule on it so an incompatible producer is refused.
 * Re-registering identical content is a no-op.
 */
public final class SchemaRegistrar {

    /** Apicurio serdes put artifacts without an explicit group in this group. */
    public static final String GROUP = "default";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiBase;

    /** @param registryUrl e.g. {@code http://127.0.0.1:8081/apis/registry/v3} */
    public SchemaRegistrar(String registryUrl) {
        this.apiBase = registryUrl.endsWith("/") ? registryUrl.substring(0, registryUrl.length() - 1) : registryUrl;
    }

    /** @return one line per artifact saying what happened */
    public List<String> register(Collection<TopicSpec> specs) throws IOException, InterruptedException {
        final List<String> lines = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (spec.valueSchema() == null) {
                continue;
            }
            final String artifact = spec.valueArtifactId();
            final String body = JSON.writeValueAsString(Map.of(
                    "artifactId", artifact,
                    "artifactType", "AVRO",
                    "firstVersion", Map.of("content", Map.of(
                            "content", spec.valueSchema().toString(),
                            "contentType", "application/json"))));
            final var created = send(HttpRequest.newBuilder(URI.create(apiBase + "/groups/" + GROUP
                    + "/artifacts?ifExists=FIND_OR_CREATE_VERSION"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            final String version = JSON.readTree(created.body()).path("version").path("version").asText("?");
            final var rule = send(HttpRequest.newBuilder(URI.create(apiBase + "/groups/" + GROUP + "/artifacts/"
                    + artifact + "/rules"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ruleType\":\"COMPATIBILITY\",\"config\":\"BACKWARD\"}"))
                    .build());
            lines.add(String.format("%-24s version %s, compatibility BACKWARD%s", artifact, version,
                    rule.statusCode() == 409 ? " (rule already set)" : ""));
        }
        return lines;
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        final var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300 && response.statusCode() != 409) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode()
                    + ": " + response.body());
        }
        return response;
    }
}
