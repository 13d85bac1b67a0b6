package dev.fraudscorer.control.cli;

import dev.fraudscorer.control.webhook.AlertmanagerWebhook;
import dev.fraudscorer.control.webhook.RollbackGuard;
import dev.fraudscorer.schema.ModelControl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code model-control webhook}: Alertmanager's receiver for alert-driven rollback. */
@Command(name = "webhook", mixinStandardHelpOptions = true,
        description = {"Receive Alertmanager notifications on POST /alerts; a firing alert labelled rollback=\"true\" and"
                + " model_version=N rolls the model back from N to its previous version, at most once per cool-down and"
                + " never to a version rolled back for cause. Runs until stopped."})
final class Webhook implements Callable<Integer> {

    @Mixin
    ModelControlMain.Connection connection;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address. Default: ${DEFAULT-VALUE}")
    String host;
    @Option(names = "--port", defaultValue = "9095", description = "Port; 0 picks a free one. Default: ${DEFAULT-VALUE}")
    int port;
    @Option(names = "--cool-down", defaultValue = "30m", converter = DurationConverter.class,
            description = "At most one automatic rollback per model in this long (e.g. 90s, 30m, 2h). Default: ${DEFAULT-VALUE}")
    Duration coolDown;
    @Option(names = "--token-file", defaultValue = "local-stack/webhook.token", description = "Bearer token every"
            + " request must carry (Alertmanager: http_config.authorization.credentials_file, as in"
            + " infra/prometheus/alertmanager.yml); created with a random token if missing. Default: ${DEFAULT-VALUE}")
    Path tokenFile;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new ModelControlMain.UsageError("--port must be 0-65535, not " + port);
        }
        final String token = token(tokenFile);
        final RollbackGuard guard = new RollbackGuard(coolDown);
        try (AlertmanagerWebhook webhook = new AlertmanagerWebhook(host, port, connection.modelName, token,
                alert -> handle(guard, alert))) {
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("webhook listening on http://%s:%d/alerts for model '%s' (cool-down %s, bearer token in %s)%n",
                    host, webhook.port(), connection.modelName, coolDown, tokenFile.toAbsolutePath());
            out.flush();
            final CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    /** The token in {@code file}, or a new random one written there (owner-readable only) when it does not exist. */
    static String token(Path file) throws java.io.IOException {
        if (java.nio.file.Files.exists(file)) {
            final String token = java.nio.file.Files.readString(file).strip();
            if (token.length() < 16) {
                throw new ModelControlMain.UsageError(file + " holds a token shorter than 16 characters; delete it to get"
                        + " a random one, or write a longer one");
            }
            return token;
        }
        final byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        final String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        if (file.toAbsolutePath().getParent() != null) {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        }
        java.nio.file.Files.writeString(file, token + "\n");
        try {
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file system's own ACLs apply.
        }
        return token;
    }

    /** One alert at a time: two notifications for one incident must not both read "version N is active". */
    private synchronized String handle(RollbackGuard guard, AlertmanagerWebhook.RollbackAlert alert) {
        if (!connection.modelName.equals(alert.model())) {
            return "ignored: this webhook serves model '" + connection.modelName + "', not '" + alert.model() + "'";
        }
        final ModelControlMain.Connection fresh = connection.fresh();
        final ModelControl current = fresh.control().orElse(null);
        final Instant now = Instant.now();
        final RollbackGuard.Decision decision = guard.decide(current, alert.version(), now);
        if (!decision.rollback()) {
            return "no rollback: " + decision.reason();
        }
        final String reason = "alert " + alert.alertName() + " on version " + alert.version()
                + (alert.summary().isEmpty() ? "" : ": " + alert.summary());
        final ModelControl record = fresh.write(new dev.fraudscorer.control.ControlCommand.Rollback(decision.target()),
                reason, RollbackGuard.ISSUER);
        guard.rolledBack(alert.model(), now);
        return "rolled back " + alert.version() + " -> " + decision.target() + " (generation " + record.getGeneration() + ")";
    }

    /** 90s, 30m, 2h or an ISO-8601 duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            final var m = java.util.regex.Pattern.compile("(\\d{1,9})([smh])").matcher(value);
            if (m.matches()) {
                final long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            try {
                return Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 90s, 30m, 2h");
            }
        }
    }
}
