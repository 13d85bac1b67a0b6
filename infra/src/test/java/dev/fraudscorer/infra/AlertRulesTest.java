package dev.fraudscorer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and Alertmanager routing in infra/prometheus/ pass Prometheus's and Alertmanager's own checkers, and
 * every rule's promtool cases (one that fires, a near miss that does not) pass. Needs Debian's prometheus and
 * prometheus-alertmanager packages, which .ci/run installs.
 */
class AlertRulesTest {

    private static final Path DIR = Path.of("prometheus");

    @Test
    void rulesAreValid() throws Exception {
        run("promtool", "check", "rules", "fraud-scorer-rules.yml");
    }

    @Test
    void everyRuleFiresOnItsCaseAndNotOnItsNearMiss() throws Exception {
        run("promtool", "test", "rules", "fraud-scorer-rules-test.yml");
    }

    @Test
    void alertmanagerRoutingIsValid() throws Exception {
        run("amtool", "check-config", "alertmanager.yml");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin", command[0]))) {
            throw new IllegalStateException(command[0] + " is missing: apt-get install prometheus prometheus-alertmanager"
                    + " (.ci/run does this)");
        }
        final Process p = new ProcessBuilder(List.of(command)).directory(DIR.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + ":\n" + out);
    }
}
