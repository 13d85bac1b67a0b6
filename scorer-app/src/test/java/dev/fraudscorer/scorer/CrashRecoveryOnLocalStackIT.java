package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.control.cli.ModelControlMain;
import dev.fraudscorer.data.DefaultDataset;
import dev.fraudscorer.infra.ChildProcess;
import dev.fraudscorer.infra.ScorerMalloc;
import dev.fraudscorer.infra.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A crash costs nothing, tested the way it happens: the crash verifier's short run. A three-broker KRaft cluster
 * and two scorer instances, each its own OS process started from this build's classes; the real dataset replayed
 * with fraud labels flowing and bad records mixed in; one scorer {@code kill -9}ed mid-load and started again a few
 * seconds later with the identical command line and state directory (it must come back by itself: under
 * exactly-once Kafka Streams 4.3.1 used to refuse its global store forever after such a kill); one broker
 * {@code kill -9}ed and restarted. Then: every valid transaction has exactly one verdict and every bad record
 * exactly one dead letter, every mutated record (2,000, bytes flipped, truncated, spliced) exactly one of the two
 * (read_committed), no transaction is left open on the brokers, every verdict's features
 * equal the trainer's offline features, and after each fault every partition delivers verdicts again.
 */
class CrashRecoveryOnLocalStackIT {

    @Test
    void killedScorerAndBrokerCostNothing() throws Exception {
        final Path dir = Files.createTempDirectory(Path.of("target"), "crash-recovery-").toAbsolutePath();
        final String java = ChildProcess.javaBinary();
        final String classpath = System.getProperty("java.class.path");
        final Verifier.Commands commands = new Verifier.Commands(
                List.of(java, "-cp", classpath, ScorerMain.class.getName()), ScorerMalloc.AUTO.environment(),
                List.of(java, "-cp", classpath, ModelControlMain.class.getName()),
                List.of());
        final Verifier.Result result = new Verifier(new Verifier.Settings(dir.resolve("run"), DefaultDataset.require(),
                3, 2, 8_000, 250, LocalDate.parse("2018-04-01"), "scorer-kill9:1,broker-kill9:1",
                Duration.ofSeconds(3), Duration.ofSeconds(10), ScorerTopologyTest.GOLDEN.toAbsolutePath(), 200, 2_000, 1,
                List.of()), commands, System.out).run();

        assertEquals(0, result.missing(), "inputs with neither a verdict nor a dead letter");
        assertEquals(0, result.duplicated(), "inputs with two outputs");
        assertEquals(0, result.openTransactions(), "transactions left open on the brokers");
        assertEquals(0, result.featureDiffs(), "verdicts whose features differ from the trainer's");
        assertFalse(result.readyAfterRestart().isEmpty(), "the killed scorer came back with the same command");
        assertEquals(2, result.recoveries().size(), "one measurement per fault");
        result.recoveries().forEach(d -> assertNotNull(d, "every partition delivers verdicts again after each fault"));
        assertTrue(result.passed());
    }
}
