package dev.fraudscorer.scorer.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code /metrics} (Prometheus text), {@code /health} (live) and {@code /ready} on one small port. */
public final class HealthServer implements AutoCloseable {

    private final HttpServer server;

    public HealthServer(int port, Supplier<String> scrape, BooleanSupplier live, BooleanSupplier ready) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/metrics", ex -> reply(ex, 200, scrape.get()));
        server.createContext("/health", ex -> reply(ex, live.getAsBoolean() ? 200 : 503,
                live.getAsBoolean() ? "live\n" : "stream threads are not alive\n"));
        server.createContext("/ready", ex -> reply(ex, ready.getAsBoolean() ? 200 : 503,
                ready.getAsBoolean() ? "ready\n" : "not ready: streams not RUNNING, no verified model active, a warm-up"
                        + " still running, or the JIT still compiling the warm-up\n"));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
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
