package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DefaultDataset;
import dev.fraudscorer.features.FeatureSpec;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar trainer-job.jar train|features ...}. */
@Command(name = "trainer-job", mixinStandardHelpOptions = true, version = "trainer-job 0.2",
        description = "Trains the fraud model with the handbook's protocol, or writes the engine's features.",
        subcommands = {TrainerMain.Train.class, TrainerMain.Features.class, TrainerMain.Ablation.class,
                CommandLine.HelpCommand.class})
public final class TrainerMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new TrainerMain())
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
                    return 2;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                            || e instanceof java.io.IOException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                });
    }

    static Path dataOrDefault(Path data) {
        final Path path = data != null ? data : DefaultDataset.require();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no data file at " + path.toAbsolutePath()
                    + "; pass --data PATH/" + DefaultDataset.FILE_NAME);
        }
        return path;
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Grid search on validation folds, prequential evaluation on test folds (mean ± std), and a"
                    + " bundle with the newest test fold's model.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", description = "Dataset CSV (.csv or .csv.gz). Default: $FRAUD_DATA or ../shared/data/"
                + DefaultDataset.FILE_NAME)
        Path data;
        @Option(names = "--out", required = true, description = "Directory to write the bundle to.")
        Path out;
        @Option(names = "--model-name", defaultValue = "fraud", description = "Default: ${DEFAULT-VALUE}")
        String modelName;
        @Option(names = "--test-start", defaultValue = "2018-08-15",
                description = "Training start of the newest test fold. Default: ${DEFAULT-VALUE}")
        LocalDate testStart;
        @Option(names = "--train-days", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
        int trainDays;
        @Option(names = "--delay-days", defaultValue = "7", description = "Gap between training and test: the label"
                + " delay. Default: ${DEFAULT-VALUE}")
        int delayDays;
        @Option(names = "--test-days", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
        int testDays;
        @Option(names = "--folds", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}")
        int folds;
        @Option(names = "--max-depth", split = ",", defaultValue = "3,6,9", description = "Grid. Default: ${DEFAULT-VALUE}")
        List<Integer> maxDepths;
        @Option(names = "--n-estimators", split = ",", defaultValue = "25,50,100",
                description = "Grid (boosting rounds). Default: ${DEFAULT-VALUE}")
        List<Integer> nEstimators;
        @Option(names = "--learning-rate", split = ",", defaultValue = "0.1,0.3",
                description = "Grid. Default: ${DEFAULT-VALUE}")
        List<Double> learningRates;
        @Option(names = "--tree-method", defaultValue = "exact", description = "XGBoost tree method: exact (as the"
                + " handbook's XGBoost 1.x chose) or hist (about 3x faster, lower AP). Default: ${DEFAULT-VALUE}")
        String treeMethod;
        @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}")
        long seed;
        @Option(names = "--jobs", defaultValue = "2", description = "Trainings at once (one thread each; the result"
                + " does not depend on it). Default: ${DEFAULT-VALUE}")
        int jobs;
        @Option(names = "--features", split = ",", defaultValue = "handbook", description = "The model's inputs: the"
                + " handbook's 15 (handbook) plus feature groups (comma list of group names, 'recommended' or 'all';"
                + " see 'ablation'). Default: ${DEFAULT-VALUE}")
        List<String> features;

        @Override
        public Integer call() throws Exception {
            final TrainerConfig config = new TrainerConfig(dataOrDefault(data), modelName, testStart, trainDays,
                    delayDays, testDays, folds, maxDepths, nEstimators, learningRates, treeMethod, seed, jobs,
                    FeatureGroups.spec(features));
            final ModelBundle bundle = new Trainer(config, System.out).train();
            bundle.writeTo(out);
            System.out.printf("bundle written to %s (model sha256 %s, thresholds review %.4f decline %.4f)%n",
                    out.toAbsolutePath(), bundle.manifest().modelSha256(), bundle.manifest().thresholds().review(),
                    bundle.manifest().thresholds().decline());
            return 0;
        }
    }

    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Write the features the engine computes for the transactions in [from, to), one CSV row"
                    + " each, history before 'from' read to fill the windows, labels known after the delay.")
    static final class Features implements Callable<Integer> {
        @Option(names = "--data", description = "Dataset CSV. Default: $FRAUD_DATA or ../shared/data/"
                + DefaultDataset.FILE_NAME)
        Path data;
        @Option(names = "--from", required = true, description = "First day (UTC, inclusive), YYYY-MM-DD.")
        LocalDate from;
        @Option(names = "--to", required = true, description = "End day (UTC, exclusive), YYYY-MM-DD.")
        LocalDate to;
        @Option(names = "--out", required = true, description = "CSV file to write.")
        Path out;
        @Option(names = "--features", split = ",", defaultValue = "handbook", description = "As for train: handbook,"
                + " feature groups, 'recommended' or 'all'. Default: ${DEFAULT-VALUE}")
        List<String> features;

        @Override
        public Integer call() throws Exception {
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("--from " + from + " must be before --to " + to);
            }
            final PrintStream progress = System.err;
            final FeatureTable table = FeatureTable.load(dataOrDefault(data), FeatureGroups.spec(features), to, progress);
            final List<Integer> rows = table.between(from, to);
            try (BufferedWriter w = Files.newBufferedWriter(out)) {
                w.write("TRANSACTION_ID," + String.join(",", table.spec().names()));
                w.newLine();
                final StringBuilder line = new StringBuilder();
                for (int i : rows) {
                    line.setLength(0);
                    line.append(table.rows().get(i).transactionId());
                    for (double v : table.features()[i]) {
                        line.append(',').append(format(v));
                    }
                    w.write(line.toString());
                    w.newLine();
                }
            }
            progress.printf("wrote %,d rows to %s%n", rows.size(), out.toAbsolutePath());
            return 0;
        }
    }

    @Command(name = "ablation", mixinStandardHelpOptions = true,
            description = "Each feature group's gain in mean validation AP (validation folds only, one grid point):"
                    + " the handbook's 15 alone, plus each group, all groups, and all but each group.")
    static final class Ablation implements Callable<Integer> {
        @Option(names = "--data", description = "Dataset CSV. Default: $FRAUD_DATA or ../shared/data/"
                + DefaultDataset.FILE_NAME)
        Path data;
        @Option(names = "--test-start", defaultValue = "2018-08-15", description = "As for train; the validation folds"
                + " end before the test folds start. Default: ${DEFAULT-VALUE}")
        LocalDate testStart;
        @Option(names = "--folds", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}")
        int folds;
        @Option(names = "--hyper-params", split = ",", defaultValue = "3,100,0.1", description = "max_depth,"
                + "n_estimators,learning_rate of every training (the handbook grid's choice). Default: ${DEFAULT-VALUE}")
        List<String> hyperParams;
        @Option(names = "--jobs", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}")
        int jobs;

        @Override
        public Integer call() throws Exception {
            if (hyperParams.size() != 3) {
                throw new IllegalArgumentException("--hyper-params takes DEPTH,ROUNDS,RATE, e.g. 3,100,0.1");
            }
            final int depth = Integer.parseInt(hyperParams.get(0));
            final int rounds = Integer.parseInt(hyperParams.get(1));
            final double rate = Double.parseDouble(hyperParams.get(2));
            final TrainerConfig config = new TrainerConfig(dataOrDefault(data), "ablation", testStart, 7, 7, 7, folds,
                    List.of(depth), List.of(rounds), List.of(rate), "exact", 0, jobs,
                    FeatureGroups.spec(List.of("all")));
            final FeatureTable all = FeatureTable.load(config.data(), config.spec(), config.endOfData(), System.out);
            new FeatureAblation(config, all, System.out).run();
            return 0;
        }
    }

    /** Integers without a fraction; other values in Java's shortest round-trip form. */
    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
