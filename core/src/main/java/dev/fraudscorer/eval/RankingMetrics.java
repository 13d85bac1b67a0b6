package dev.fraudscorer.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Threshold-free metrics of scores against binary labels, with the usual definitions (as scikit-learn's
 * {@code roc_auc_score} and {@code average_precision_score}): ties share ranks, AP is the step-wise area.
 */
public final class RankingMetrics {

    private RankingMetrics() {
    }

    /** ROC-AUC via the Mann-Whitney statistic with average ranks for ties; NaN if one class is absent. */
    public static double rocAuc(double[] scores, boolean[] labels) {
        final Integer[] order = sortedAscending(scores);
        long positives = 0;
        double rankSumPositives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            final double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]]) {
                    positives++;
                    rankSumPositives += averageRank;
                }
            }
            i = j + 1;
        }
        final long negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Average precision: sum over distinct thresholds of (recall step) x precision; NaN without positives. */
    public static double averagePrecision(double[] scores, boolean[] labels) {
        final Integer[] order = sortedAscending(scores);
        final long positives = IntStream.range(0, labels.length).filter(k -> labels[k]).count();
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        long truePositives = 0;
        long seen = 0;
        int i = order.length - 1;
        while (i >= 0) {
            int j = i;
            while (j - 1 >= 0 && scores[order[j - 1]] == scores[order[i]]) {
                j--;
            }
            long stepPositives = 0;
            for (int k = j; k <= i; k++) {
                if (labels[order[k]]) {
                    stepPositives++;
                }
            }
            truePositives += stepPositives;
            seen += i - j + 1;
            ap += (double) stepPositives / positives * ((double) truePositives / seen);
            i = j - 1;
        }
        return ap;
    }

    private static Integer[] sortedAscending(double[] scores) {
        final Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, k -> k);
        Arrays.sort(order, Comparator.comparingDouble(k -> scores[k]));
        return order;
    }
}
