package dev.fraudscorer.infra;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server or tool run as its own OS process, its output in a log file the user can read. Stops on SIGTERM. */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ChildProcess start(String name, List<String> command, Path workDir, Path log) throws IOException {
        return start(name, command, workDir, log, java.util.Map.of());
    }

    /** @param environment added to this process's environment (e.g. {@link ScorerMalloc#environment()}) */
    public static ChildProcess start(String name, List<String> command, Path workDir, Path log,
                                     java.util.Map<String, String> environment) throws IOException {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        final ChildProcess child = new ChildProcess(name, builder.start(), log);
        Runtime.getRuntime().addShutdownHook(new Thread(child::close, "stop-" + name));
        return child;
    }

    /** Runs to completion; fails with the log's path if the exit code is not 0. */
    public static void run(String name, List<String> command, Path workDir, Path log, long timeoutSeconds)
            throws IOException, InterruptedException {
        try (ChildProcess child = start(name, command, workDir, log)) {
            if (!child.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IOException(name + " did not finish in " + timeoutSeconds + " s; see " + log);
            }
            if (child.process.exitValue() != 0) {
                throw new IOException(name + " exited with " + child.process.exitValue() + "; see " + log);
            }
        }
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static String classpathOf(Path dir) {
        return dir.toAbsolutePath() + File.separator + "*";
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public void requireAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(name + " exited with " + process.exitValue() + " during start-up; see " + log);
        }
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** CPU time the process has used so far (user and system); zero once it has exited. */
    public java.time.Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    /** SIGKILL, as a crash or an OOM kill would end it; waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
