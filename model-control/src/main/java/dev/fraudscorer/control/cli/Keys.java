package dev.fraudscorer.control.cli;

import dev.fraudscorer.bundle.BundleSigning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Signing keys: the trainer's private key signs versions, scorers trust its public key. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage Ed25519 signing keys.",
        subcommands = Keys.Generate.class)
final class Keys {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a new Ed25519 key pair: BASE.key (private, owner-only) and BASE.pub.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "keys/trainer", paramLabel = "BASE", description = "Default: ${DEFAULT-VALUE}")
        Path base;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (base.getParent() != null) {
                Files.createDirectories(base.getParent());
            }
            final KeyPair pair = BundleSigning.generate();
            BundleSigning.write(pair, base);
            spec.commandLine().getOut().printf("key %s: private %s.key, public %s.pub (give the .pub to the scorers:"
                    + " model.trusted.keys)%n", BundleSigning.keyId(pair.getPublic()), base, base);
            return 0;
        }
    }
}
