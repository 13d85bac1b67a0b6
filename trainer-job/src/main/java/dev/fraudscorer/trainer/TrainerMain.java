package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar trainer-job.jar train ...}: trains a model and writes its bundle. */
@Command(name = "trainer-job", mixinStandardHelpOptions = true, version = "trainer-job 0.1",
        description = "Trains the fraud model on the dataset and writes a model bundle.",
        subcommands = {TrainerMain.Train.class, CommandLine.HelpCommand.class})
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

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train on [train-from, +train-days), evaluate on the window after a gap, write a bundle.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", description = "Dataset CSV (.csv or .csv.gz). Default: $FRAUD_DATA or ../shared/data/"
                + dev.fraudscorer.data.DefaultDataset.FILE_NAME)
        Path data;
        @Option(names = "--out", required = true, description = "Directory to write the bundle to.")
        Path out;
        @Option(names = "--model-name", defaultValue = "fraud", description = "Default: ${DEFAULT-VALUE}")
        String modelName;
        @Option(names = "--train-from", defaultValue = "2018-07-25", description = "Default: ${DEFAULT-VALUE}")
        LocalDate trainFrom;
        @Option(names = "--train-days", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
        int trainDays;
        @Option(names = "--gap-days", defaultValue = "7", description = "Default: ${DEFAULT-VALUE} (the label delay)")
        int gapDays;
        @Option(names = "--test-days", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}")
        int testDays;
        @Option(names = "--rounds", defaultValue = "100", description = "Boosting rounds. Default: ${DEFAULT-VALUE}")
        int rounds;
        @Option(names = "--max-depth", defaultValue = "6", description = "Default: ${DEFAULT-VALUE}")
        int maxDepth;
        @Option(names = "--learning-rate", defaultValue = "0.3", description = "Default: ${DEFAULT-VALUE}")
        double learningRate;
        @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}")
        long seed;
        @Option(names = "--threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}")
        int threads;

        @Override
        public Integer call() throws Exception {
            if (data == null) {
                data = dev.fraudscorer.data.DefaultDataset.require();
            }
            if (!Files.isRegularFile(data)) {
                throw new IllegalArgumentException("no data file at " + data.toAbsolutePath()
                        + "; pass --data PATH/fdh_simulated_raw.csv.gz");
            }
            final TrainerConfig config = new TrainerConfig(data, modelName, trainFrom, trainDays, gapDays, testDays,
                    rounds, maxDepth, learningRate, seed, threads);
            final ModelBundle bundle = new Trainer(config, System.out).train();
            bundle.writeTo(out);
            System.out.printf("bundle written to %s (model sha256 %s, thresholds review %.4f decline %.4f)%n",
                    out.toAbsolutePath(), bundle.manifest().modelSha256(), bundle.manifest().thresholds().review(),
                    bundle.manifest().thresholds().decline());
            return 0;
        }
    }
}
