package dev.fraudscorer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Directory trees the tools make and remove: a run's data directory, a warm-up's state directory. */
public final class DirectoryTree {

    private DirectoryTree() {
    }

    /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
