package dev.fraudscorer.startup;

import dev.fraudscorer.data.DirectoryTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The frame of a build-time training run for a class-data-sharing archive (a JVM started with
 * {@code -XX:ArchiveClassesAtExit}): the work gets a temporary directory, a failure is reported but not fatal, the
 * directory is removed, and the JVM exits 0, which is when the archive is written. Always 0: the archive is an
 * optimisation, and a JVM given a missing or stale archive starts without one.
 */
public final class ClassArchiveRun {

    /** What a training run does, in a directory of its own. */
    public interface Work {
        void run(Path dir) throws Exception;
    }

    private ClassArchiveRun() {
    }

    public static void exitAfter(String name, Work work) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(name + "-class-archive");
            work.run(dir);
        } catch (Exception | LinkageError e) {
            System.err.println("class archive training failed (the archive may be incomplete): " + e);
        } finally {
            delete(dir);
        }
        // Kafka's clients may still be retrying their refused connections: exit rather than wait for them.
        System.exit(0);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            DirectoryTree.delete(dir);
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
