package dev.fraudscorer.scorer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who this scorer instance is, stable across restarts of the same command: {@code instance.id} when set, else a
 * name created once and kept in the state directory. It names the instance in scorer-status and is its
 * {@code group.instance.id} (static membership): a process killed and started again with the same state directory
 * rejoins as the same member, takes its partitions back without a rebalance, and (through Streams' process id, kept
 * in the same directory) fences its own dead transactions at once instead of waiting for them to time out.
 */
final class InstanceIdentity {

    private static final int MAX_LENGTH = 200; // group.instance.id allows 249; Streams appends "-<thread index>"

    private InstanceIdentity() {
    }

    static String resolve(String configured, String applicationId, Path stateDir) {
        if (!configured.isBlank()) {
            return sanitise(configured);
        }
        final Path file = stateDir.resolve(sanitise(applicationId) + ".instance-id");
        try {
            if (Files.exists(file)) {
                final String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!kept.isEmpty()) {
                    return sanitise(kept);
                }
            }
            final String created = sanitise(applicationId + "-" + host() + "-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
            Files.createDirectories(stateDir);
            final Path tmp = Files.createTempFile(stateDir, "instance-id", ".tmp");
            Files.writeString(tmp, created + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the instance id in " + file + "; set instance.id or a writable"
                    + " state.dir", e);
        }
    }

    /** Kafka accepts [a-zA-Z0-9._-] in a group.instance.id. */
    static String sanitise(String id) {
        final String clean = id.replaceAll("[^a-zA-Z0-9._-]", "_");
        return clean.length() > MAX_LENGTH ? clean.substring(0, MAX_LENGTH) : clean;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "host";
        }
    }
}
