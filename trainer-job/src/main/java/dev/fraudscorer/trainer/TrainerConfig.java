package dev.fraudscorer.trainer;

import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Everything that determines a trained model: same config + same data = byte-identical model file.
 *
 * @param trainFrom first day of the training window (UTC, inclusive)
 * @param trainDays training window length
 * @param gapDays   days between training and test windows; the handbook's label delay
 * @param testDays  test window length
 */
public record TrainerConfig(Path data, String modelName, LocalDate trainFrom, int trainDays, int gapDays,
                            int testDays, int rounds, int maxDepth, double learningRate, long seed, int threads) {

    public TrainerConfig {
        positive("train-days", trainDays);
        positive("test-days", testDays);
        positive("rounds", rounds);
        positive("max-depth", maxDepth);
        positive("threads", threads);
        if (gapDays < 0) {
            throw new IllegalArgumentException("--gap-days must be >= 0, got " + gapDays);
        }
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new IllegalArgumentException("--learning-rate must be in (0, 1], got " + learningRate);
        }
    }

    public LocalDate trainTo() {
        return trainFrom.plusDays(trainDays);
    }

    public LocalDate testFrom() {
        return trainTo().plusDays(gapDays);
    }

    public LocalDate testTo() {
        return testFrom().plusDays(testDays);
    }

    private static void positive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("--" + option + " must be > 0, got " + value);
        }
    }
}
