package dev.fraudscorer.outlier;

import dev.fraudscorer.bundle.Manifest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Flags model inputs unlike the training data. Each feature's deviation is a robust z-score, |x - median| / scale,
 * with scale = IQR / 1.349 (the standard deviation a normal distribution with that IQR would have), falling back to
 * the standard deviation for features whose IQR is 0 (rare binary flags, mostly-zero counts). The anomaly score is
 * the largest deviation; the features responsible are those above the threshold. One implementation: the trainer
 * fits it, the scorer applies it.
 */
public final class InputScreen {

    /** Share of training rows the fitted threshold flags. */
    public static final double TRAINING_OUTLIER_SHARE = 0.001;
    private static final double IQR_TO_SIGMA = 1.349;

    private final Manifest.Screening screening;
    private final double[] median;
    private final double[] scale;

    public InputScreen(Manifest.Screening screening) {
        this.screening = screening;
        final int n = screening.features().size();
        median = new double[n];
        scale = new double[n];
        for (int i = 0; i < n; i++) {
            final Manifest.FeatureStats f = screening.features().get(i);
            median[i] = f.median();
            scale[i] = scaleOf(f);
        }
    }

    /** The verdict-facing outcome for one input row. */
    public record Result(double anomalyScore, boolean outlier, List<String> responsible) {
    }

    public Result check(double[] x) {
        final double[] z = deviations(x);
        double max = 0;
        final List<Integer> above = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            max = Math.max(max, z[i]);
            if (z[i] > screening.outlierThreshold()) {
                above.add(i);
            }
        }
        above.sort(Comparator.comparingDouble((Integer i) -> z[i]).reversed());
        return new Result(max, !above.isEmpty(), above.stream().map(i -> screening.features().get(i).name()).toList());
    }

    /** Whether {@code score} falls in the low-confidence band below the REVIEW threshold. */
    public boolean uncertain(double score) {
        return score >= screening.uncertainFrom() && score < screening.uncertainTo();
    }

    private double[] deviations(double[] x) {
        final double[] z = new double[median.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = Double.isNaN(x[i]) ? Double.POSITIVE_INFINITY : Math.abs(x[i] - median[i]) / scale[i];
        }
        return z;
    }

    private static double scaleOf(Manifest.FeatureStats f) {
        if (f.iqr() > 0) {
            return f.iqr() / IQR_TO_SIGMA;
        }
        return f.std() > 0 ? f.std() : 1e-9;
    }

    /**
     * Fits statistics on {@code rows} (training window) and sets the threshold at the {@link #TRAINING_OUTLIER_SHARE}
     * quantile of their anomaly scores; the uncertain band is [{@code uncertainShare} × review, review).
     */
    public static Manifest.Screening fit(double[][] rows, List<String> names, double reviewThreshold,
                                         double uncertainShare) {
        final List<Manifest.FeatureStats> stats = new ArrayList<>();
        for (int f = 0; f < names.size(); f++) {
            final double[] column = new double[rows.length];
            for (int r = 0; r < rows.length; r++) {
                column[r] = rows[r][f];
            }
            Arrays.sort(column);
            final double mean = Arrays.stream(column).average().orElse(0);
            final double std = Math.sqrt(Arrays.stream(column).map(v -> (v - mean) * (v - mean)).average().orElse(0));
            final double[] edges = decileEdges(column);
            final double[] shares = new double[edges.length + 1];
            final Manifest.FeatureStats binned = new Manifest.FeatureStats(names.get(f), 0, 0, 0, 0, edges, shares);
            for (double v : column) {
                shares[binned.bin(v)] += 1.0 / column.length;
            }
            stats.add(new Manifest.FeatureStats(names.get(f), quantile(column, 0.5),
                    quantile(column, 0.75) - quantile(column, 0.25), mean, std, edges, shares));
        }
        final Manifest.Screening provisional = new Manifest.Screening(stats, Double.POSITIVE_INFINITY, 0, 0, "");
        final InputScreen screen = new InputScreen(provisional);
        final double[] scores = Arrays.stream(rows).mapToDouble(r -> screen.check(r).anomalyScore()).sorted().toArray();
        final double threshold = quantile(scores, 1 - TRAINING_OUTLIER_SHARE);
        return new Manifest.Screening(stats, threshold, uncertainShare * reviewThreshold, reviewThreshold, String.format(
                "outlier: largest robust z-score |x - median| / (IQR/1.349) (std when IQR is 0) above %.3f, the %.1f%%"
                        + " most unusual training-window inputs; review_required: REVIEW, outliers, and scores in"
                        + " [%.4f, %.4f), just below the REVIEW threshold", threshold, TRAINING_OUTLIER_SHARE * 100,
                uncertainShare * reviewThreshold, reviewThreshold));
    }

    /** Distinct deciles of a sorted column: drift bins (fewer where values repeat, e.g. binary flags). */
    private static double[] decileEdges(double[] sorted) {
        return java.util.stream.IntStream.rangeClosed(1, 9).mapToDouble(d -> quantile(sorted, d / 10.0)).distinct()
                .filter(e -> sorted.length > 0 && e < sorted[sorted.length - 1]).toArray();
    }

    /** Linear-interpolated quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        final double pos = q * (sorted.length - 1);
        final int lo = (int) Math.floor(pos);
        final int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
