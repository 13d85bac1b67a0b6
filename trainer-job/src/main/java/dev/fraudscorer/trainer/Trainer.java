package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.eval.RankingMetrics;
import dev.fraudscorer.features.FeatureExtractor;
import dev.fraudscorer.features.FeatureSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains XGBoost on a time window and evaluates on a later one (train, gap, test: never a random split), with the
 * features computed by the shared {@link FeatureExtractor} over the rows in time order.
 */
public final class Trainer {

    static final String XGBOOST_VERSION = "3.0.4";
    /** Share of training transactions the REVIEW threshold flags: the alert budget. */
    static final double REVIEW_BUDGET = 0.01;
    /** Precision the DECLINE threshold must reach on the training window. */
    static final double DECLINE_PRECISION = 0.9;
    private static final int REFERENCE_ROWS = 32;
    private static final int PROGRESS_EVERY = 10;

    private final TrainerConfig config;
    private final PrintStream out;

    public Trainer(TrainerConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** A window of rows as a dense feature matrix. */
    record Window(float[] features, double[][] rows, float[] labels, int numFeatures) {
        int size() {
            return labels.length;
        }

        long frauds() {
            long n = 0;
            for (float label : labels) {
                n += label > 0 ? 1 : 0;
            }
            return n;
        }

        boolean[] booleanLabels() {
            final boolean[] b = new boolean[labels.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = labels[i] > 0;
            }
            return b;
        }
    }

    public ModelBundle train() throws IOException, XGBoostError {
        final FeatureExtractor extractor = new FeatureExtractor(FeatureSpec.defaultSpec());
        final long trainFrom = millis(config.trainFrom());
        final long trainTo = millis(config.trainTo());
        final long testFrom = millis(config.testFrom());
        final long testTo = millis(config.testTo());
        final List<double[]> trainRows = new ArrayList<>();
        final List<Boolean> trainLabels = new ArrayList<>();
        final List<double[]> testRows = new ArrayList<>();
        final List<Boolean> testLabels = new ArrayList<>();
        out.printf("reading %s%n", config.data());
        final long start = System.nanoTime();
        final String dataSha = DatasetReader.read(config.data(), (DatasetRow row) -> {
            // Every row passes through the extractor in time order, as the scorer sees the stream.
            final double[] features = extractor.extract(row.toInput());
            if (row.eventTimeMs() >= trainFrom && row.eventTimeMs() < trainTo) {
                trainRows.add(features);
                trainLabels.add(row.fraud());
            } else if (row.eventTimeMs() >= testFrom && row.eventTimeMs() < testTo) {
                testRows.add(features);
                testLabels.add(row.fraud());
            }
        });
        final Window train = window(trainRows, trainLabels, extractor.spec().size());
        final Window test = window(testRows, testLabels, extractor.spec().size());
        out.printf("read in %.1f s: train %s..%s %d rows (%d frauds), test %s..%s %d rows (%d frauds)%n",
                (System.nanoTime() - start) / 1e9, config.trainFrom(), config.trainTo(), train.size(), train.frauds(),
                config.testFrom(), config.testTo(), test.size(), test.frauds());
        if (train.size() == 0 || test.size() == 0 || train.frauds() == 0) {
            throw new IllegalArgumentException("the training or test window has no rows or no frauds; choose windows"
                    + " inside the data's time range");
        }

        final Map<String, Object> params = params();
        final DMatrix dtrain = new DMatrix(train.features(), train.size(), train.numFeatures(), Float.NaN);
        final DMatrix dtest = new DMatrix(test.features(), test.size(), test.numFeatures(), Float.NaN);
        Booster booster = null;
        try {
            dtrain.setLabel(train.labels());
            dtest.setLabel(test.labels());
            booster = XGBoost.train(dtrain, params, 0, Map.of(), null, null);
            for (int round = 0; round < config.rounds(); round++) {
                booster.update(dtrain, round);
                if ((round + 1) % PROGRESS_EVERY == 0 || round + 1 == config.rounds()) {
                    out.printf("[%4d/%d] %s%n", round + 1, config.rounds(),
                            booster.evalSet(new DMatrix[] {dtrain}, new String[] {"train"}, round).replaceAll("^\\[\\d+\\]\\s*", ""));
                }
            }
            final byte[] model = booster.toByteArray("json");
            final double[] trainScores = toDouble(booster.predict(dtrain));
            final double[] testScores = toDouble(booster.predict(dtest));
            final boolean[] testTruth = test.booleanLabels();
            final Manifest.Metrics metrics = new Manifest.Metrics(
                    RankingMetrics.rocAuc(testScores, testTruth), RankingMetrics.averagePrecision(testScores, testTruth),
                    train.size(), train.frauds(), test.size(), test.frauds());
            out.printf("test window: ROC-AUC %.4f, average precision %.4f%n", metrics.rocAuc(), metrics.averagePrecision());
            final Manifest manifest = new Manifest(ModelBundle.FORMAT_VERSION, config.modelName(),
                    extractor.spec().names(), "model.json", ModelBundle.sha256(model), "binary:logistic", params,
                    config.rounds(),
                    new Manifest.Training(config.data().getFileName().toString(), dataSha,
                            config.trainFrom().toString(), config.trainTo().toString(),
                            config.testFrom().toString(), config.testTo().toString()),
                    metrics, ThresholdChooser.choose(trainScores, train.booleanLabels(), REVIEW_BUDGET, DECLINE_PRECISION),
                    referenceRows(test, testScores), versions());
            return new ModelBundle(manifest, model);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            dtrain.dispose();
            dtest.dispose();
        }
    }

    Map<String, Object> params() {
        final Map<String, Object> params = new LinkedHashMap<>();
        params.put("objective", "binary:logistic");
        params.put("eval_metric", "auc");
        params.put("tree_method", "hist");
        params.put("max_depth", config.maxDepth());
        params.put("eta", config.learningRate());
        params.put("seed", config.seed());
        // One thread per training job keeps histogram sums in a fixed order: bit-identical models.
        params.put("nthread", config.threads());
        return params;
    }

    /** Rows spread over the test window, frauds included, to re-score on load. */
    private static List<Manifest.ReferenceRow> referenceRows(Window test, double[] scores) {
        final List<Manifest.ReferenceRow> rows = new ArrayList<>();
        final int step = Math.max(1, test.size() / REFERENCE_ROWS);
        for (int i = 0; i < test.size() && rows.size() < REFERENCE_ROWS; i += step) {
            rows.add(new Manifest.ReferenceRow(test.rows()[i], scores[i]));
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

    private static Window window(List<double[]> rows, List<Boolean> labels, int numFeatures) {
        final float[] matrix = new float[rows.size() * numFeatures];
        final float[] y = new float[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < numFeatures; c++) {
                matrix[r * numFeatures + c] = (float) rows.get(r)[c];
            }
            y[r] = labels.get(r) ? 1f : 0f;
        }
        return new Window(matrix, rows.toArray(double[][]::new), y, numFeatures);
    }

    private static double[] toDouble(float[][] predictions) {
        return Arrays.stream(predictions).mapToDouble(p -> p[0]).toArray();
    }

    private static long millis(LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
