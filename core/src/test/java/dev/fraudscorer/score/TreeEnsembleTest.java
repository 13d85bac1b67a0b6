package dev.fraudscorer.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.TestData;
import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.features.OfflineFeatures;
import dev.fraudscorer.features.FeatureSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/** The JVM evaluator must give xgboost4j's own predictions, to float precision, on real data. */
class TreeEnsembleTest {

    private static final int TRAIN_ROWS = 60_000;
    private static final int SCORED_ROWS = 150_000;

    @Test
    void scoresEqualXgboost4jPredictOnMoreThan100kRowsOfTheDataset() throws Exception {
        final FeatureSpec spec = FeatureSpec.handbook();
        final int width = spec.size();
        final List<DatasetRow> data = new ArrayList<>();
        DatasetReader.read(TestData.dataset(), row -> {
            if (data.size() < TRAIN_ROWS + SCORED_ROWS) {
                data.add(row);
            }
        });
        data.sort(OfflineFeatures.ENGINE_ORDER);
        final List<double[]> rows = List.of(OfflineFeatures.compute(data, spec, FeatureSpec.HANDBOOK_DELAY_DAYS, n -> { }));
        final List<Boolean> labels = data.stream().map(DatasetRow::fraud).toList();
        final float[] train = flatten(rows.subList(0, TRAIN_ROWS), width);
        final float[] trainLabels = new float[TRAIN_ROWS];
        for (int i = 0; i < TRAIN_ROWS; i++) {
            trainLabels[i] = labels.get(i) ? 1 : 0;
        }
        final List<double[]> scored = rows.subList(TRAIN_ROWS, rows.size());
        final DMatrix dtrain = new DMatrix(train, TRAIN_ROWS, width, Float.NaN);
        final DMatrix dscored = new DMatrix(flatten(scored, width), scored.size(), width, Float.NaN);
        Booster booster = null;
        try {
            dtrain.setLabel(trainLabels);
            booster = XGBoost.train(dtrain, Map.of("objective", "binary:logistic", "max_depth", 8, "eta", 0.1,
                    "seed", 7, "nthread", 1, "tree_method", "hist"), 150, Map.of(), null, null);
            final float[][] expected = booster.predict(dscored);
            final TreeEnsemble ensemble = TreeEnsemble.fromJson(booster.toByteArray("json"));
            assertEquals(150, ensemble.numTrees());

            double maxDelta = 0;
            for (int i = 0; i < scored.size(); i++) {
                maxDelta = Math.max(maxDelta, Math.abs(ensemble.predict(scored.get(i)) - expected[i][0]));
                // The flat layout the scorer walks gives the per-tree walk's float32 margin to the bit.
                final float[] x = new float[width];
                for (int j = 0; j < width; j++) {
                    x[j] = (float) scored.get(i)[j];
                }
                assertEquals(ensemble.marginByTrees(x), ensemble.margin(scored.get(i)), 0f, "row " + i);
            }
            assertTrue(scored.size() >= 100_000);
            assertTrue(maxDelta <= 1e-6, "max |JVM - xgboost4j| = " + maxDelta);

            // Reason codes: TreeSHAP contributions equal xgboost4j's predictContrib.
            final int explained = 2_000;
            final DMatrix dexplained = new DMatrix(flatten(scored.subList(0, explained), width), explained, width, Float.NaN);
            try {
                final float[][] contrib = booster.predictContrib(dexplained, 0);
                double maxContribDelta = 0;
                for (int i = 0; i < explained; i++) {
                    final double[] phi = ensemble.contributions(scored.get(i));
                    assertEquals(width + 1, contrib[i].length);
                    for (int f = 0; f <= width; f++) {
                        maxContribDelta = Math.max(maxContribDelta, Math.abs(phi[f] - contrib[i][f]));
                    }
                    assertEquals(ensemble.margin(scored.get(i)), java.util.Arrays.stream(phi).sum(), 1e-4,
                            "contributions sum to the margin");
                }
                System.out.printf("TreeSHAP vs predictContrib on %d rows x %d columns: max |Δ| = %g%n", explained,
                        width + 1, maxContribDelta);
                assertTrue(maxContribDelta <= 1e-5, "max |JVM contribution - xgboost4j| = " + maxContribDelta);
            } finally {
                dexplained.dispose();
            }
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            dtrain.dispose();
            dscored.dispose();
        }
    }

    @Test
    void missingValuesFollowTheDefaultBranch() throws Exception {
        final float[] x = {1, 0, 2, 1, 3, 0, 4, 1, 5, 0, 6, 1, 7, 0, 8, 1};
        final float[] y = {0, 0, 0, 0, 1, 1, 1, 1};
        final DMatrix d = new DMatrix(x, 8, 2, Float.NaN);
        final DMatrix probe = new DMatrix(new float[] {Float.NaN, 1, 6, Float.NaN}, 2, 2, Float.NaN);
        Booster booster = null;
        try {
            d.setLabel(y);
            booster = XGBoost.train(d, Map.of("objective", "binary:logistic", "max_depth", 2, "min_child_weight", 0,
                    "nthread", 1), 5, Map.of(), null, null);
            final float[][] expected = booster.predict(probe);
            final TreeEnsemble ensemble = TreeEnsemble.fromJson(booster.toByteArray("json"));
            assertEquals(expected[0][0], ensemble.predict(new double[] {Double.NaN, 1}), 1e-6);
            assertEquals(expected[1][0], ensemble.predict(new double[] {6, Double.NaN}), 1e-6);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            d.dispose();
            probe.dispose();
        }
    }

    @Test
    void refusesModelsItCannotEvaluate() {
        final String regression = "{\"learner\":{\"objective\":{\"name\":\"reg:squarederror\"}}}";
        final var e = assertThrows(IllegalArgumentException.class,
                () -> TreeEnsemble.fromJson(regression.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("reg:squarederror"));
        assertThrows(IllegalArgumentException.class, () -> TreeEnsemble.fromJson("not json".getBytes(StandardCharsets.UTF_8)));
    }

    private static float[] flatten(List<double[]> rows, int width) {
        final float[] out = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = (float) rows.get(r)[c];
            }
        }
        return out;
    }
}
