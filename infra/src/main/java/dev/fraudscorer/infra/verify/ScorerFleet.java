package dev.fraudscorer.infra.verify;

import dev.fraudscorer.infra.ChildProcess;
import dev.fraudscorer.infra.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scorer instances as separate OS processes, as production runs them. Each instance has its own state directory
 * and metrics port, chosen once, so a restart is the identical command line in the identical directory.
 */
final class ScorerFleet implements AutoCloseable {

    private final List<String> command;
    private final java.util.Map<String, String> environment;
    private final List<String> settings;
    private final Path dir;
    private final Map<Integer, Member> members = new TreeMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** One instance: its fixed command, and the process running it now (null while down). */
    static final class Member {
        final int index;
        final List<String> command;
        final int port;
        final Path log;
        volatile ChildProcess process;

        Member(int index, List<String> command, int port, Path log) {
            this.index = index;
            this.command = command;
            this.port = port;
            this.log = log;
        }
    }

    /**
     * @param command  how to run the scorer, e.g. {@code java -jar scorer-app.jar}
     * @param environment added to each instance's environment, e.g. {@code LD_PRELOAD} for its malloc
     * @param settings KEY=VALUE settings every instance gets (bootstrap servers, registry, trusted keys...)
     */
    ScorerFleet(List<String> command, java.util.Map<String, String> environment, List<String> settings, Path dir) {
        this.command = command;
        this.environment = environment;
        this.settings = settings;
        this.dir = dir;
    }

    synchronized Member start(int index) throws IOException {
        Member m = members.get(index);
        if (m == null) {
            final Path state = dir.resolve("scorer-" + index);
            Files.createDirectories(state);
            final List<String> full = new ArrayList<>(command);
            full.addAll(settings);
            full.add("state.dir=" + state.resolve("state"));
            final int port = Ports.resolve(0, "scorer metrics");
            full.add("metrics.port=" + port);
            m = new Member(index, List.copyOf(full), port, state.resolve("scorer.log"));
            members.put(index, m);
        }
        if (m.process != null && m.process.isAlive()) {
            throw new IllegalStateException("scorer " + index + " is already running");
        }
        m.process = ChildProcess.start("scorer-" + index, m.command, dir, m.log, environment);
        return m;
    }

    /**
     * How often the instances' Kafka Streams left RUNNING other than to stop, by the state they went to, from their
     * logs (ScorerProcess logs every transition). REBALANCING is expected while instances come and go; ERROR never.
     */
    synchronized java.util.Map<String, Integer> leftRunning() throws IOException {
        final java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        final java.util.regex.Pattern transition = java.util.regex.Pattern.compile("streams state RUNNING -> (\\w+)");
        for (Member m : members.values()) {
            if (!Files.exists(m.log)) {
                continue;
            }
            try (var lines = Files.lines(m.log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                lines.forEach(line -> {
                    final var match = transition.matcher(line);
                    if (match.find() && !"PENDING_SHUTDOWN".equals(match.group(1))) {
                        out.merge(match.group(1), 1, Integer::sum);
                    }
                });
            }
        }
        return out;
    }

    Member member(int index) {
        return members.get(index);
    }

    synchronized List<Integer> running() {
        return members.values().stream().filter(m -> m.process != null && m.process.isAlive()).map(m -> m.index).toList();
    }

    void kill9(int index) throws InterruptedException {
        final Member m = members.get(index);
        m.process.kill();
        m.process = null;
    }

    /** SIGTERM and wait; returns how long the process took to exit. */
    Duration stop(int index) {
        final Member m = members.get(index);
        final long t0 = System.nanoTime();
        m.process.close();
        m.process = null;
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Waits until {@code /ready} answers 200; returns how long that took. */
    Duration awaitReady(int index, Duration timeout) throws IOException, InterruptedException {
        final Member m = members.get(index);
        final long t0 = System.nanoTime();
        final long deadline = t0 + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final ChildProcess p = m.process;
            if (p == null) {
                throw new IOException("scorer " + index + " is not running");
            }
            p.requireAlive();
            if (status(m.port, "/ready") == 200) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            Thread.sleep(50);
        }
        throw new IOException("scorer " + index + " not ready within " + timeout + "; see " + m.log);
    }

    /** The process id of the instance's current process, or -1 while it is down. */
    long pid(int index) {
        final Member m = members.get(index);
        final ChildProcess p = m == null ? null : m.process;
        return p == null ? -1 : p.pid();
    }

    /** Resident set size of the instance's process, kB (Linux /proc), or -1. */
    long rssKb(int index) {
        final Member m = members.get(index);
        if (m == null || m.process == null) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + m.process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use as the instance's own /metrics reports it, kB, or -1. */
    long heapKb(int index) {
        return memory(index).heapKb();
    }

    /** An instance's memory as its own /metrics reports it, kB; -1 each when it does not answer. */
    record Memory(long heapKb, long heapCommittedKb, long oldGenKb, long blockCacheKb) {
        static final Memory UNKNOWN = new Memory(-1, -1, -1, -1);
    }

    /**
     * From the instance's {@code /metrics}: heap used, heap committed, G1's old generation used and RocksDB's block
     * cache in use. Old-generation use changes only when a collection runs, so across a soak it shows what stays live;
     * heap committed is what the JVM took from the OS for the heap, a part of RSS (resident once touched); the block
     * cache is shared by every store, so each store reports the same figure.
     */
    Memory memory(int index) {
        final Member m = members.get(index);
        try {
            final String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            double used = 0;
            double committed = 0;
            double old = 0;
            double blockCache = 0;
            for (String line : body.split("\n")) {
                if (line.startsWith("kafka_stream_state_block_cache_usage{")) {
                    blockCache = Math.max(blockCache, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                    continue;
                }
                final boolean isUsed = line.startsWith("jvm_memory_used_bytes{");
                if (!line.contains("area=\"heap\"") || !(isUsed || line.startsWith("jvm_memory_committed_bytes{"))) {
                    continue;
                }
                final double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (isUsed) {
                    used += value;
                    old += line.contains("id=\"G1 Old Gen\"") ? value : 0;
                } else {
                    committed += value;
                }
            }
            return new Memory((long) (used / 1024), (long) (committed / 1024), (long) (old / 1024),
                    (long) (blockCache / 1024));
        } catch (IOException | RuntimeException e) {
            return Memory.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Memory.UNKNOWN;
        }
    }

    private int status(int port, String path) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        members.values().forEach(m -> {
            if (m.process != null) {
                m.process.close();
            }
        });
    }
}
