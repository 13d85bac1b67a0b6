package dev.fraudscorer.trainer;

import dev.fraudscorer.bundle.Manifest;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Chooses decision thresholds on out-of-sample scores (the validation week): REVIEW flags the top {@code reviewBudget} share of
 * transactions (what an investigation team can look at); DECLINE is the lowest score at which precision reaches
 * {@code declinePrecision}, so automatic declines are rarely wrong. DECLINE is never below REVIEW.
 */
final class ThresholdChooser {

    private ThresholdChooser() {
    }

    /** @param period what the scores are, for the manifest's rule text */
    static Manifest.Thresholds choose(double[] scores, boolean[] labels, double reviewBudget, double declinePrecision,
                                      String period) {
        final Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        final int budget = Math.max(1, (int) Math.floor(scores.length * reviewBudget));
        final double review = scores[order[Math.min(budget, scores.length) - 1]];
        double decline = 1.0;
        long truePositives = 0;
        for (int k = 0; k < order.length; k++) {
            truePositives += labels[order[k]] ? 1 : 0;
            final boolean lastOfTie = k + 1 == order.length || scores[order[k + 1]] != scores[order[k]];
            if (lastOfTie && (double) truePositives / (k + 1) >= declinePrecision) {
                decline = scores[order[k]];
            }
        }
        decline = Math.max(decline, review);
        return new Manifest.Thresholds(review, decline, String.format(
                "review: top %.1f%% of scores; decline: lowest score with precision >= %.2f; both on %s",
                reviewBudget * 100, declinePrecision, period));
    }
}
