package dev.fraudscorer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared dataset from a test, wherever Maven runs it. */
public final class TestData {

    private TestData() {
    }

    public static Path dataset() {
        final Path root = Path.of(System.getProperty("fraud.repo.root", ".."));
        for (Path candidate : new Path[] {root.resolve("../shared/data/fdh_simulated_raw.csv.gz"),
                Path.of("../../shared/data/fdh_simulated_raw.csv.gz")}) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("dataset not found next to the repository (../shared/data)");
    }
}
