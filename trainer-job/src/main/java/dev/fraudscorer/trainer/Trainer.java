package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.Manifest.HyperParams;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.eval.HandbookEvaluation;
import dev.fraudscorer.features.FeatureSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * The handbook's prequential protocol around XGBoost: choose hyper-parameters on validation folds, report the
 * chosen ones on the test folds (mean ± std), and bundle the model of the newest test fold, whose own test-window
 * figures are what the live scorer's verdicts must reproduce.
 */
public final class Trainer {

    static final String XGBOOST_VERSION = "3.0.4";
    /** Share of training transactions the REVIEW threshold flags: the alert budget. */
    /** review_required also covers scores from this share of the REVIEW threshold up to it. */
    static final double UNCERTAIN_SHARE = 0.75;
    static final double REVIEW_BUDGET = 0.01;
    /** Precision the DECLINE threshold must reach on the training window. */
    static final double DECLINE_PRECISION = 0.9;
    /** The handbook's XGBoost figures with the same 15 features (mean ± std over 4 test folds). */
    static final double[] PUBLISHED = {0.869, 0.687, 0.303};
    private static final int REFERENCE_ROWS = 32;

    private final TrainerConfig config;
    private final PrintStream out;
    private final Map<LocalDate, List<Integer>> testSets = new ConcurrentHashMap<>();

    public Trainer(TrainerConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** One trained and evaluated fold. */
    private record FoldOutcome(LocalDate trainFrom, Manifest.Metrics metrics, byte[] model, double[] trainScores,
                               boolean[] trainLabels, List<Integer> testRows, double[] testScores) {
    }

    public ModelBundle train() throws IOException {
        return train(FeatureTable.load(config.data(), config.spec(), config.endOfData(), out));
    }

    /** Trains on features already computed (tests reuse one table). */
    ModelBundle train(FeatureTable table) throws IOException {
        final long start = System.nanoTime();
        final List<HyperParams> grid = config.grid();
        out.printf("grid search: %d points x %d validation folds (training from %s to %s), %d jobs at once%n",
                grid.size(), config.folds(), config.firstDayUsed(), config.validationFoldStart(0), config.jobs());
        final ExecutorService pool = Executors.newFixedThreadPool(config.jobs());
        try {
            final List<Future<Manifest.GridPoint>> pending = new ArrayList<>();
            for (HyperParams params : grid) {
                pending.add(pool.submit(() -> validate(table, params)));
            }
            final List<Manifest.GridPoint> points = new ArrayList<>();
            for (Future<Manifest.GridPoint> f : pending) {
                points.add(get(f));
                final Manifest.GridPoint p = points.get(points.size() - 1);
                out.printf("  [grid %2d/%d] %s -> validation AP %.4f, ROC-AUC %.4f, CP@100 %.4f%n", points.size(),
                        grid.size(), describe(p.params()), p.validationMean().averagePrecision(),
                        p.validationMean().rocAuc(), p.validationMean().cardPrecisionAt100());
            }
            // Highest mean validation AP; the first in grid order wins a tie, so the choice is reproducible.
            Manifest.GridPoint best = points.get(0);
            for (Manifest.GridPoint p : points) {
                if (p.validationMean().averagePrecision() > best.validationMean().averagePrecision()) {
                    best = p;
                }
            }
            final HyperParams selected = best.params();
            out.printf("selected %s%n", describe(selected));

            final List<Future<FoldOutcome>> testRuns = new ArrayList<>();
            for (int k = 0; k < config.folds(); k++) {
                final LocalDate from = config.testFoldStart(k);
                testRuns.add(pool.submit(() -> runFold(table, selected, from)));
            }
            final Future<Manifest.Thresholds> thresholdRun = pool.submit(() -> thresholds(table, selected));
            final List<FoldOutcome> tests = new ArrayList<>();
            for (Future<FoldOutcome> f : testRuns) {
                tests.add(get(f));
            }
            final List<Manifest.Fold> folds = tests.stream()
                    .map(t -> new Manifest.Fold(t.trainFrom().toString(),
                            t.trainFrom().plusDays(config.trainDays() + config.delayDays()).toString(), t.metrics()))
                    .toList();
            final Manifest.Metrics mean = mean(folds);
            final Manifest.Metrics std = std(folds, mean);
            printTable(folds, mean, std);
            final Manifest.Protocol protocol = new Manifest.Protocol(description(), selected, points, folds, mean, std);
            final Manifest.Thresholds thresholds = get(thresholdRun);
            out.printf("thresholds: review %.4f, decline %.4f (%s)%n", thresholds.review(), thresholds.decline(),
                    thresholds.rule());
            final ModelBundle bundle = bundle(table, tests.get(0), selected, protocol, thresholds);
            out.printf("trained in %.1f s%n", (System.nanoTime() - start) / 1e9);
            return bundle;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Mean metrics over the validation folds only (the ablation's measure: test folds stay unseen). */
    Manifest.Metrics validationMean(FeatureTable table, HyperParams params) throws XGBoostError {
        return validate(table, params).validationMean();
    }

    private Manifest.GridPoint validate(FeatureTable table, HyperParams params) throws XGBoostError {
        final List<Manifest.Fold> folds = new ArrayList<>();
        for (int k = 0; k < config.folds(); k++) {
            final FoldOutcome o = runFold(table, params, config.validationFoldStart(k));
            folds.add(new Manifest.Fold(o.trainFrom().toString(), "", o.metrics()));
        }
        return new Manifest.GridPoint(params, mean(folds));
    }

    private FoldOutcome runFold(FeatureTable table, HyperParams hp, LocalDate trainFrom) throws XGBoostError {
        final List<Integer> trainRows = table.between(trainFrom, trainFrom.plusDays(config.trainDays()));
        final List<Integer> testRows = testSets.computeIfAbsent(trainFrom, from -> HandbookEvaluation.testSet(
                table.rows(), from, config.trainDays(), config.delayDays(), config.testDays()));
        final boolean[] trainLabels = labels(table, trainRows);
        if (trainRows.isEmpty() || testRows.isEmpty() || count(trainLabels) == 0) {
            throw new IllegalArgumentException("the fold training from " + trainFrom + " has no training rows, no"
                    + " frauds or no test rows; choose --test-start inside the data's time range");
        }
        final DMatrix dtrain = matrix(table, trainRows);
        final DMatrix dtest = matrix(table, testRows);
        Booster booster = null;
        try {
            dtrain.setLabel(toFloat(trainLabels));
            booster = XGBoost.train(dtrain, params(hp), hp.nEstimators(), Map.of(), null, null);
            final double[] trainScores = toDouble(booster.predict(dtrain));
            final double[] testScores = toDouble(booster.predict(dtest));
            final List<HandbookEvaluation.Scored> scored = new ArrayList<>(testRows.size());
            for (int i = 0; i < testRows.size(); i++) {
                final DatasetRow row = table.rows().get(testRows.get(i));
                scored.add(new HandbookEvaluation.Scored(row.customerId(), row.eventTimeMs(), testScores[i], row.fraud()));
            }
            final HandbookEvaluation.Result r = HandbookEvaluation.evaluate(scored);
            final Manifest.Metrics metrics = new Manifest.Metrics(r.rocAuc(), r.averagePrecision(), r.cardPrecisionAtK(),
                    trainRows.size(), count(trainLabels), r.rows(), r.frauds());
            return new FoldOutcome(trainFrom, metrics, booster.toByteArray("json"), trainScores, trainLabels, testRows,
                    testScores);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            dtrain.dispose();
            dtest.dispose();
        }
    }

    /**
     * Thresholds from out-of-sample scores: the selected hyper-parameters trained on the newest validation fold,
     * scored on its test week (which precedes the bundled model's test week, so the test figures stay untouched).
     */
    private Manifest.Thresholds thresholds(FeatureTable table, HyperParams selected) throws XGBoostError {
        final LocalDate from = config.validationFoldStart(0);
        final FoldOutcome validation = runFold(table, selected, from);
        final boolean[] labels = new boolean[validation.testRows().size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = table.rows().get(validation.testRows().get(i)).fraud();
        }
        final LocalDate week = from.plusDays(config.trainDays() + config.delayDays());
        return ThresholdChooser.choose(validation.testScores(), labels, REVIEW_BUDGET, DECLINE_PRECISION,
                "the validation week " + week + ".." + week.plusDays(config.testDays()) + " (model trained from " + from
                        + " with the selected hyper-parameters, known-compromised cards removed)");
    }

    private ModelBundle bundle(FeatureTable table, FoldOutcome fold, HyperParams hp, Manifest.Protocol protocol,
                               Manifest.Thresholds thresholds) {
        final LocalDate from = fold.trainFrom();
        final LocalDate testFrom = from.plusDays(config.trainDays() + config.delayDays());
        final Manifest manifest = new Manifest(ModelBundle.FORMAT_VERSION, config.modelName(), table.spec(),
                "model.json", ModelBundle.sha256(fold.model()), "binary:logistic", params(hp), hp.nEstimators(),
                new Manifest.Training(config.data().getFileName().toString(), table.dataSha256(), from.toString(),
                        from.plusDays(config.trainDays()).toString(), testFrom.toString(),
                        testFrom.plusDays(config.testDays()).toString()),
                fold.metrics(), protocol,
                thresholds,
                referenceRows(table, fold), versions(), screening(table, from, thresholds));
        return new ModelBundle(manifest, fold.model());
    }

    Map<String, Object> params(HyperParams hp) {
        final Map<String, Object> params = new LinkedHashMap<>();
        params.put("objective", "binary:logistic");
        params.put("eval_metric", "auc");
        params.put("tree_method", config.treeMethod());
        params.put("max_depth", hp.maxDepth());
        params.put("eta", hp.learningRate());
        params.put("n_estimators", hp.nEstimators());
        params.put("seed", config.seed());
        // One thread per training keeps histogram sums in a fixed order: bit-identical models.
        params.put("nthread", 1);
        return params;
    }

    private void printTable(List<Manifest.Fold> folds, Manifest.Metrics mean, Manifest.Metrics std) {
        out.println();
        out.printf("prequential test folds (train %dd, delay %dd, test %dd; known-compromised cards removed)%n",
                config.trainDays(), config.delayDays(), config.testDays());
        out.printf("  %-12s %-12s %8s %8s %8s %8s%n", "train from", "test from", "ROC-AUC", "AP", "CP@100", "frauds");
        for (Manifest.Fold f : folds) {
            out.printf("  %-12s %-12s %8.4f %8.4f %8.4f %8d%n", f.trainFrom(), f.testFrom(), f.metrics().rocAuc(),
                    f.metrics().averagePrecision(), f.metrics().cardPrecisionAt100(), f.metrics().testFrauds());
        }
        out.println();
        out.printf("  %-25s %-15s %-15s %-15s%n", "", "ROC-AUC", "AP", "CP@100");
        out.printf("  %-25s %-15s %-15s %-15s%n", "handbook XGBoost", PUBLISHED[0] + " ± 0.01", PUBLISHED[1] + " ± 0.01",
                PUBLISHED[2] + " ± 0.01");
        out.printf("  %-25s %-15s %-15s %-15s%n", "this trainer", pm(mean.rocAuc(), std.rocAuc()),
                pm(mean.averagePrecision(), std.averagePrecision()),
                pm(mean.cardPrecisionAt100(), std.cardPrecisionAt100()));
        out.println();
    }

    private String description() {
        return String.format("handbook prequential: %d folds, train %dd, delay %dd, test %dd; test folds train from %s"
                        + " back by %dd; validation folds %dd earlier; known-compromised cards removed per test day;"
                        + " grid chosen by mean validation AP", config.folds(), config.trainDays(), config.delayDays(),
                config.testDays(), config.testStart(), config.testDays(), config.delayDays() + config.testDays());
    }

    private static String describe(HyperParams p) {
        return String.format("max_depth=%d n_estimators=%d learning_rate=%s", p.maxDepth(), p.nEstimators(),
                p.learningRate());
    }

    private static String pm(double mean, double std) {
        return String.format("%.3f ± %.3f", mean, std);
    }

    private static Manifest.Metrics mean(List<Manifest.Fold> folds) {
        return new Manifest.Metrics(avg(folds, m -> m.rocAuc()), avg(folds, m -> m.averagePrecision()),
                avg(folds, m -> m.cardPrecisionAt100()), Math.round(avg(folds, m -> m.trainRows())),
                Math.round(avg(folds, m -> m.trainFrauds())), Math.round(avg(folds, m -> m.testRows())),
                Math.round(avg(folds, m -> m.testFrauds())));
    }

    /** Population standard deviation, as numpy's default. */
    private static Manifest.Metrics std(List<Manifest.Fold> folds, Manifest.Metrics mean) {
        return new Manifest.Metrics(sd(folds, m -> m.rocAuc(), mean.rocAuc()),
                sd(folds, m -> m.averagePrecision(), mean.averagePrecision()),
                sd(folds, m -> m.cardPrecisionAt100(), mean.cardPrecisionAt100()), 0, 0, 0, 0);
    }

    private static double avg(List<Manifest.Fold> folds, ToDoubleFunction<Manifest.Metrics> f) {
        return folds.stream().mapToDouble(x -> f.applyAsDouble(x.metrics())).average().orElse(Double.NaN);
    }

    private static double sd(List<Manifest.Fold> folds, ToDoubleFunction<Manifest.Metrics> f, double mean) {
        return Math.sqrt(folds.stream().mapToDouble(x -> Math.pow(f.applyAsDouble(x.metrics()) - mean, 2))
                .average().orElse(Double.NaN));
    }

    /** Rows spread over the test window, frauds included, to re-score on load. */
    /** Input statistics on the bundled model's training window; the uncertain band is the 25% below REVIEW. */
    private Manifest.Screening screening(FeatureTable table, LocalDate trainFrom, Manifest.Thresholds thresholds) {
        final List<Integer> rows = table.between(trainFrom, trainFrom.plusDays(config.trainDays()));
        final double[][] x = rows.stream().map(i -> table.features()[i]).toArray(double[][]::new);
        return dev.fraudscorer.outlier.InputScreen.fit(x, table.spec().names(), thresholds.review(), UNCERTAIN_SHARE);
    }

    private static List<Manifest.ReferenceRow> referenceRows(FeatureTable table, FoldOutcome fold) {
        final List<Manifest.ReferenceRow> rows = new ArrayList<>();
        final int step = Math.max(1, fold.testRows().size() / REFERENCE_ROWS);
        for (int i = 0; i < fold.testRows().size() && rows.size() < REFERENCE_ROWS; i += step) {
            rows.add(new Manifest.ReferenceRow(table.features()[fold.testRows().get(i)], fold.testScores()[i]));
        }
        return rows;
    }

    private static Map<String, String> versions() {
        final Map<String, String> versions = new LinkedHashMap<>();
        versions.put("xgboost4j", XGBOOST_VERSION);
        versions.put("java", System.getProperty("java.version"));
        versions.put("javaVendor", System.getProperty("java.vendor"));
        return versions;
    }

    private static DMatrix matrix(FeatureTable table, List<Integer> rows) throws XGBoostError {
        final int width = table.spec().size();
        final float[] m = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            final double[] f = table.features()[rows.get(r)];
            for (int c = 0; c < width; c++) {
                m[r * width + c] = (float) f[c];
            }
        }
        return new DMatrix(m, rows.size(), width, Float.NaN);
    }

    private static boolean[] labels(FeatureTable table, List<Integer> rows) {
        final boolean[] y = new boolean[rows.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = table.rows().get(rows.get(i)).fraud();
        }
        return y;
    }

    private static float[] toFloat(boolean[] labels) {
        final float[] y = new float[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i] ? 1f : 0f;
        }
        return y;
    }

    private static long count(boolean[] labels) {
        long n = 0;
        for (boolean b : labels) {
            n += b ? 1 : 0;
        }
        return n;
    }

    private static double[] toDouble(float[][] predictions) {
        final double[] out = new double[predictions.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = predictions[i][0];
        }
        return out;
    }

    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("training failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
