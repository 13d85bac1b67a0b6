package dev.fraudscorer.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the shared dataset is when nobody says: {@code $FRAUD_DATA}, then {@code ../shared/data/} next to the
 * repository (the layout of this project's machines), then the same relative to the working directory.
 */
public final class DefaultDataset {

    public static final String FILE_NAME = "fdh_simulated_raw.csv.gz";

    private DefaultDataset() {
    }

    public static Optional<Path> find() {
        final String env = System.getenv("FRAUD_DATA");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env));
        }
        final String root = System.getProperty("fraud.repo.root", ".");
        for (Path candidate : List.of(Path.of(root, "..", "shared", "data", FILE_NAME),
                Path.of("..", "shared", "data", FILE_NAME), Path.of("..", "..", "shared", "data", FILE_NAME))) {
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate.normalize());
            }
        }
        return Optional.empty();
    }

    /** @throws IllegalStateException saying how to point at the data */
    public static Path require() {
        return find().orElseThrow(() -> new IllegalStateException("dataset " + FILE_NAME + " not found; set FRAUD_DATA"
                + " to its path or pass --data"));
    }
}
