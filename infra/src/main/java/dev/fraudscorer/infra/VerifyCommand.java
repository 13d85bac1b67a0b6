package dev.fraudscorer.infra;

import dev.fraudscorer.data.DefaultDataset;
import dev.fraudscorer.infra.verify.Verifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infra verify}: the crash verifier from the jars, as a user runs it. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Start a local cluster and scorer instances as separate processes, replay the real dataset with"
                + " labels flowing, inject faults while it runs, then check: one verdict per valid transaction, one"
                + " dead letter per bad record, nothing left open, features equal to the trainer's. Exits 1 if not.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = "local-stack-verify", description = "Cluster, scorer state and logs;"
            + " wiped at start. Default: ${DEFAULT-VALUE}")
    Path dataDir;
    @Option(names = "--data", description = "Dataset CSV. Default: $FRAUD_DATA or ../shared/data/" + DefaultDataset.FILE_NAME)
    Path data;
    @Option(names = "--brokers", defaultValue = "3", description = "KRaft nodes (broker + controller each). Default: ${DEFAULT-VALUE}")
    int brokers;
    @Option(names = "--instances", defaultValue = "2", description = "Scorer instances (a scale fault's first size wins). Default: ${DEFAULT-VALUE}")
    int instances;
    @Option(names = "--transactions", defaultValue = "30000", description = "Transactions replayed. Default: ${DEFAULT-VALUE}")
    int transactions;
    @Option(names = "--rate", defaultValue = "250", description = "Transactions per second (a three-broker cluster on a 2-core machine falls behind above this). Default: ${DEFAULT-VALUE}")
    int rate;
    @Option(names = "--from", defaultValue = "2018-04-01", description = "First day replayed. Default: ${DEFAULT-VALUE}")
    LocalDate from;
    @Option(names = "--faults", defaultValue = "scorer-kill9:3,broker-kill9:1", description = "Comma list of"
            + " scorer-kill9:N, broker-kill9:N, scale:A-B[-C], registry-down:DURATION, model-swap:EVERY (promote and"
            + " rollback alternating, e.g. 30s), or none. Default: ${DEFAULT-VALUE}")
    String faults;
    @Option(names = "--restart-delay", defaultValue = "3", description = "Seconds before a killed scorer is started again. Default: ${DEFAULT-VALUE}")
    int restartDelaySeconds;
    @Option(names = "--broker-down", defaultValue = "60", description = "Seconds a killed broker stays down. Default: ${DEFAULT-VALUE}")
    int brokerDownSeconds;
    @Option(names = "--bundle", description = "Model bundle directory to serve; default: train one as the demo does")
    Path bundle;
    @Option(names = "--bad-every", defaultValue = "500", description = "One bad record per this many transactions; 0 = none. Default: ${DEFAULT-VALUE}")
    int badEvery;
    @Option(names = "--fuzz", defaultValue = "0", description = "Mutated records (bytes of valid transactions flipped,"
            + " truncated, spliced...) mixed evenly into the load; each must become exactly one verdict or one dead"
            + " letter. Default: ${DEFAULT-VALUE}")
    int fuzz;
    @Option(names = "--stream-threads", defaultValue = "1", description = "Stream threads per scorer. Default: ${DEFAULT-VALUE}")
    int streamThreads;

    @Option(names = "--scorer-java-option", description = "A JVM option for every scorer instance (repeatable), e.g."
            + " --scorer-java-option=-Xmx1g")
    List<String> scorerJavaOptions = new java.util.ArrayList<>();
    @Option(names = "--scorer-malloc", defaultValue = "auto", description = "C allocator of the scorer processes: auto"
            + " (jemalloc when the system has it, else the system's), jemalloc, or system. Default: ${DEFAULT-VALUE}")
    ScorerMalloc scorerMalloc;
    @Option(names = "--scorer-setting", description = "KEY=VALUE passed to every scorer instance (repeatable), e.g."
            + " streams.commit.interval.ms=200")
    List<String> scorerSettings = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        data = DatasetOption.resolve(data);
        if (brokers < 1 || instances < 1 || transactions < 1 || rate < 1 || badEvery < 0 || fuzz < 0 || streamThreads < 1
                || restartDelaySeconds < 0 || brokerDownSeconds < 0) {
            throw new IllegalArgumentException("--brokers, --instances, --transactions, --rate and --stream-threads must"
                    + " be at least 1; --bad-every, --fuzz, --restart-delay and --broker-down at least 0");
        }
        final RepoLayout repo = RepoLayout.locate();
        final String java = ChildProcess.javaBinary();
        final Verifier.Commands commands = new Verifier.Commands(
                repo.javaJar(java, "scorer-app", scorerJavaOptions), scorerMalloc.environment(),
                repo.javaJar(java, "model-control"),
                List.of(java, "-jar", repo.moduleJar("trainer-job").toString()));
        final Verifier.Result result = new Verifier(new Verifier.Settings(dataDir.toAbsolutePath(),
                data.toAbsolutePath(), brokers, instances, transactions, rate, from, faults,
                Duration.ofSeconds(restartDelaySeconds), Duration.ofSeconds(brokerDownSeconds),
                bundle == null ? null : bundle.toAbsolutePath(), badEvery, fuzz, streamThreads, scorerSettings), commands,
                System.out).run();
        return result.passed() ? 0 : 1;
    }
}
