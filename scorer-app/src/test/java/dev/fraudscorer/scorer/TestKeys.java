package dev.fraudscorer.scorer;

import dev.fraudscorer.bundle.BundleSigning;
import dev.fraudscorer.bundle.TrustedKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/** Signing keys for tests: the trainer's (trusted by the scorers under test) and a stranger's. */
public final class TestKeys {

    public static final KeyPair TRAINER = BundleSigning.generate();
    public static final KeyPair STRANGER = BundleSigning.generate();

    private TestKeys() {
    }

    public static TrustedKeys trusted() {
        return TrustedKeys.of(List.of(TRAINER.getPublic()));
    }

    /** Writes the trainer's pair as {@code dir/trainer.key} and {@code dir/trainer.pub}; returns the .key path. */
    public static Path writeTrainer(Path dir) throws IOException {
        Files.createDirectories(dir);
        final Path base = dir.resolve("trainer");
        if (!Files.exists(dir.resolve("trainer.key"))) {
            BundleSigning.write(TRAINER, base);
        }
        return dir.resolve("trainer.key");
    }
}
