package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.Manifest.HyperParams;
import dev.fraudscorer.features.FeatureSpec;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that determines a trained model: same config + same data = byte-identical model file.
 * The windows follow the handbook's prequential protocol: train {@code trainDays}, wait {@code delayDays} (labels
 * are not known yet), test {@code testDays}. Test fold k trains from {@code testStart - k * testDays}; validation
 * fold k trains {@code delayDays + testDays} earlier, so the grid never sees a test window's labels.
 *
 * @param testStart training start of the newest test fold; its model is the one bundled
 * @param folds     number of test (and validation) folds
 * @param treeMethod XGBoost tree method: {@code exact} (what XGBoost 1.x chose for data this size, as in the
 *                  handbook) or {@code hist} (about 3x faster, AP about 0.04 lower here)
 * @param jobs      trainings run at once; each uses one thread, so results do not depend on it
 * @param spec      the model's inputs: the handbook's 15, or those plus {@link FeatureGroups}
 */
public record TrainerConfig(Path data, String modelName, LocalDate testStart, int trainDays, int delayDays,
                            int testDays, int folds, List<Integer> maxDepths, List<Integer> nEstimators,
                            List<Double> learningRates, String treeMethod, long seed, int jobs, FeatureSpec spec) {

    public TrainerConfig(Path data, String modelName, LocalDate testStart, int trainDays, int delayDays, int testDays,
                         int folds, List<Integer> maxDepths, List<Integer> nEstimators, List<Double> learningRates,
                         String treeMethod, long seed, int jobs) {
        this(data, modelName, testStart, trainDays, delayDays, testDays, folds, maxDepths, nEstimators, learningRates,
                treeMethod, seed, jobs, FeatureSpec.handbook());
    }

    public TrainerConfig {
        positive("train-days", trainDays);
        positive("delay-days", delayDays);
        positive("test-days", testDays);
        positive("folds", folds);
        positive("jobs", jobs);
        if (!List.of("exact", "hist", "approx").contains(treeMethod)) {
            throw new IllegalArgumentException("--tree-method must be exact, hist or approx, got " + treeMethod);
        }
        maxDepths = List.copyOf(maxDepths);
        nEstimators = List.copyOf(nEstimators);
        learningRates = List.copyOf(learningRates);
        if (maxDepths.isEmpty() || nEstimators.isEmpty() || learningRates.isEmpty()) {
            throw new IllegalArgumentException("each grid axis needs at least one value");
        }
        maxDepths.forEach(v -> positive("max-depth", v));
        nEstimators.forEach(v -> positive("n-estimators", v));
        for (double rate : learningRates) {
            if (!(rate > 0 && rate <= 1)) {
                throw new IllegalArgumentException("--learning-rate values must be in (0, 1], got " + rate);
            }
        }
    }

    public List<HyperParams> grid() {
        final List<HyperParams> grid = new ArrayList<>();
        for (int depth : maxDepths) {
            for (int n : nEstimators) {
                for (double rate : learningRates) {
                    grid.add(new HyperParams(depth, n, rate));
                }
            }
        }
        return grid;
    }

    /** Training start of test fold {@code k} (0 = newest). */
    public LocalDate testFoldStart(int k) {
        return testStart.minusDays((long) k * testDays);
    }

    public LocalDate validationFoldStart(int k) {
        return testFoldStart(k).minusDays(delayDays + testDays);
    }

    /** The oldest day any fold trains on. */
    public LocalDate firstDayUsed() {
        return validationFoldStart(folds - 1);
    }

    /** The day after the newest test window. */
    public LocalDate endOfData() {
        return testStart.plusDays(trainDays + delayDays + testDays);
    }

    private static void positive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("--" + option + " must be > 0, got " + value);
        }
    }
}
