package dev.fraudscorer.topics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Reads a Kafka client properties file (bootstrap servers, security.protocol, sasl.*, ...), as the local stack
 * writes one per role under {@code <data-dir>/credentials}: the one reader for the CLIs, the scorer and the stack.
 */
public final class ClientConfigFile {

    private ClientConfigFile() {
    }

    public static Properties read(Path file) throws IOException {
        final Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        }
        return props;
    }
}
