package dev.fraudscorer.outlier;

/**
 * Population stability index of observed bin counts against reference shares: sum over bins of
 * (actual - expected) * ln(actual / expected). Rule of thumb: below 0.1 stable, 0.1-0.25 moderate shift, above 0.25
 * a shift worth acting on. Empty bins are floored so one empty bin does not make it infinite.
 */
public final class Psi {

    private static final double FLOOR = 1e-4;

    private Psi() {
    }

    public static double of(long[] counts, double[] expectedShares) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double psi = 0;
        for (int i = 0; i < counts.length; i++) {
            final double actual = Math.max(FLOOR, (double) counts[i] / total);
            final double expected = Math.max(FLOOR, expectedShares[i]);
            psi += (actual - expected) * Math.log(actual / expected);
        }
        return psi;
    }
}
