package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.features.FeatureSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Which feature groups earn their place: mean validation AP (the trainer's validation folds, never the test folds)
 * of the handbook's 15 alone, plus each group, with all groups, and with all but each group, at one grid point.
 * Columns come from one table computed with every group, so each variant sees the same rows and values.
 */
final class FeatureAblation {

    private final TrainerConfig config;
    private final FeatureTable all;
    private final PrintStream out;

    FeatureAblation(TrainerConfig config, FeatureTable all, PrintStream out) {
        this.config = config;
        this.all = all;
        this.out = out;
    }

    /** @return mean validation metrics per variant, in print order */
    Map<String, Manifest.Metrics> run() throws Exception {
        final Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("handbook (15)", List.of());
        for (String g : FeatureGroups.names()) {
            variants.put("+ " + g, List.of(g));
        }
        variants.put("all groups", FeatureGroups.names());
        for (String g : FeatureGroups.names()) {
            final List<String> rest = new ArrayList<>(FeatureGroups.names());
            rest.remove(g);
            variants.put("all - " + g, rest);
        }
        final Manifest.HyperParams hp = config.grid().get(0);
        out.printf("ablation: %d variants x %d validation folds, max_depth=%d n_estimators=%d learning_rate=%s%n",
                variants.size(), config.folds(), hp.maxDepth(), hp.nEstimators(), hp.learningRate());
        final Trainer trainer = new Trainer(config, new PrintStream(java.io.OutputStream.nullOutputStream()));
        final ExecutorService pool = Executors.newFixedThreadPool(config.jobs());
        final Map<String, Future<Manifest.Metrics>> pending = new LinkedHashMap<>();
        try {
            variants.forEach((name, groups) -> {
                final FeatureTable table = all.project(FeatureGroups.spec(groups));
                pending.put(name, pool.submit(() -> trainer.validationMean(table, hp)));
            });
            final Map<String, Manifest.Metrics> results = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Manifest.Metrics>> e : pending.entrySet()) {
                results.put(e.getKey(), e.getValue().get());
            }
            print(variants, results);
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private void print(Map<String, List<String>> variants, Map<String, Manifest.Metrics> results) {
        final double base = results.get("handbook (15)").averagePrecision();
        final double full = results.get("all groups").averagePrecision();
        out.println();
        out.printf("mean over %d validation folds          features  ROC-AUC       AP   CP@100   AP gain%n",
                config.folds());
        results.forEach((name, m) -> {
            final FeatureSpec spec = FeatureGroups.spec(variants.get(name));
            final double gain = name.startsWith("all - ") ? full - m.averagePrecision() : m.averagePrecision() - base;
            out.printf("  %-36s %8d %8.4f %8.4f %8.4f %+9.4f%s%n", name, spec.size(), m.rocAuc(), m.averagePrecision(),
                    m.cardPrecisionAt100(), name.startsWith("handbook") ? 0.0 : gain,
                    name.startsWith("all - ") ? "  (what removing it costs)" : "");
        });
        out.println();
    }
}
