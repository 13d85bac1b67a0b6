package dev.fraudscorer.infra;

import dev.fraudscorer.data.DefaultDataset;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --data} option of the commands that replay the dataset: given, or found the default way. */
final class DatasetOption {

    private DatasetOption() {
    }

    /** @throws IllegalArgumentException saying how to point at the dataset */
    static Path resolve(Path given) {
        final Path data = given != null ? given : DefaultDataset.find().orElseThrow(() ->
                new IllegalArgumentException("dataset not found; set FRAUD_DATA or pass --data PATH"));
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("no data file at " + data.toAbsolutePath() + "; pass --data PATH");
        }
        return data;
    }
}
