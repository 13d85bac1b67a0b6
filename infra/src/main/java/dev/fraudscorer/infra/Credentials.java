package dev.fraudscorer.infra;

import dev.fraudscorer.topics.Access;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The local stack's SCRAM credentials: one password per {@link Access.Role} and one for the super user that applies
 * topics and ACLs, generated on the first start into {@code <data-dir>/credentials/<user>.properties} (owner-only),
 * each a complete Kafka client config a user can pass to their own client ({@code --command-config}).
 */
public final class Credentials {

    public static final String ADMIN = "admin";
    public static final String MECHANISM = "SCRAM-SHA-512";

    private final Path dir;
    private final Map<String, String> passwords = new HashMap<>();
    private boolean createdAdmin;

    private Credentials(Path dir) {
        this.dir = dir;
    }

    /** Loads the stack's credentials, generating those that do not exist yet. */
    static Credentials loadOrCreate(Path dataDir) throws IOException {
        final Credentials c = new Credentials(dataDir.resolve("credentials"));
        Files.createDirectories(c.dir);
        final SecureRandom random = new SecureRandom();
        for (String user : users()) {
            final Path file = c.dir.resolve(user + ".password");
            if (!Files.exists(file)) {
                final byte[] bytes = new byte[24];
                random.nextBytes(bytes);
                Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
                ownerOnly(file);
                c.createdAdmin |= user.equals(ADMIN);
            }
            c.passwords.put(user, Files.readString(file).strip());
        }
        return c;
    }

    /** Whether this start generated the super user's password (a broker formatted before cannot know it). */
    boolean createdAdmin() {
        return createdAdmin;
    }

    static java.util.List<String> users() {
        final java.util.List<String> users = new java.util.ArrayList<>();
        users.add(ADMIN);
        for (Access.Role role : Access.Role.values()) {
            users.add(role.user());
        }
        return users;
    }

    String password(String user) {
        final String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no credentials for user '" + user + "'");
        }
        return password;
    }

    /** SASL settings of a client authenticating as {@code user}. */
    Map<String, Object> client(String user) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user));
    }

    String jaas(String module, String user) {
        return module + " required username=\"" + user + "\" password=\"" + password(user) + "\";";
    }

    /** Writes {@code <user>.properties}: bootstrap servers and SASL settings, ready for any Kafka client. */
    void writeClientConfigs(String bootstrapServers) throws IOException {
        for (String user : users()) {
            final Properties props = new Properties();
            props.put("bootstrap.servers", bootstrapServers);
            client(user).forEach((k, v) -> props.put(k, v.toString()));
            final Path file = clientConfig(user);
            try (OutputStream out = Files.newOutputStream(file)) {
                props.store(out, "Kafka client config of " + user + " for the local stack (SCRAM-SHA-512)");
            }
            ownerOnly(file);
        }
    }

    Path clientConfig(String user) {
        return dir.resolve(user + ".properties");
    }

    /** Reads a client config written by {@link #writeClientConfigs}. */
    public static Map<String, Object> read(Path file) throws IOException {
        final Map<String, Object> map = new HashMap<>();
        dev.fraudscorer.topics.ClientConfigFile.read(file).forEach((k, v) -> map.put(k.toString(), v));
        return map;
    }

    static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // best effort on file systems without POSIX permissions
        }
    }
}
