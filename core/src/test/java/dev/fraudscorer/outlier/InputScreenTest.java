package dev.fraudscorer.outlier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.bundle.Manifest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputScreenTest {

    @Test
    void fitsRobustStatisticsAndFlagsAboutTheTrainingShare() {
        final Random random = new Random(1);
        final double[][] rows = new double[20_000][];
        for (int i = 0; i < rows.length; i++) {
            // amount ~ lognormal, a binary flag true 2% of the time (IQR 0: std is the scale)
            rows[i] = new double[] {Math.exp(3 + random.nextGaussian()), random.nextDouble() < 0.02 ? 1 : 0};
        }
        final Manifest.Screening s = InputScreen.fit(rows, List.of("AMOUNT", "FLAG"), 0.04, 0.75);
        assertEquals(Math.exp(3), s.features().get(0).median(), 1.0);
        assertEquals(0.0, s.features().get(1).iqr());
        assertTrue(s.features().get(1).std() > 0.1 && s.features().get(1).std() < 0.16);
        final InputScreen screen = new InputScreen(s);
        long flagged = 0;
        for (double[] r : rows) {
            flagged += screen.check(r).outlier() ? 1 : 0;
        }
        assertTrue(flagged <= rows.length * InputScreen.TRAINING_OUTLIER_SHARE + 1, "flagged " + flagged);

        final InputScreen.Result normal = screen.check(new double[] {20, 0});
        assertFalse(normal.outlier());
        final InputScreen.Result huge = screen.check(new double[] {50_000, 0});
        assertTrue(huge.outlier());
        assertEquals(List.of("AMOUNT"), huge.responsible());
        assertTrue(huge.anomalyScore() > s.outlierThreshold());
        assertTrue(screen.check(new double[] {Double.NaN, 0}).outlier(), "a missing input is unlike training");

        assertEquals(0.03, s.uncertainFrom(), 1e-12);
        assertTrue(screen.uncertain(0.035));
        assertFalse(screen.uncertain(0.04), "at REVIEW it is a REVIEW, not uncertain");
        assertFalse(screen.uncertain(0.029));
        assertTrue(s.rule().contains("robust z-score"));
    }

    @Test
    void referenceBinsGiveNearZeroPsiForTheSameDistributionAndALargeOneForAShift() {
        final Random random = new Random(2);
        final double[][] train = new double[20_000][];
        for (int i = 0; i < train.length; i++) {
            train[i] = new double[] {Math.exp(3 + random.nextGaussian()), random.nextDouble() < 0.02 ? 1 : 0};
        }
        final Manifest.Screening s = InputScreen.fit(train, List.of("AMOUNT", "FLAG"), 0.04, 0.75);
        final Manifest.FeatureStats amount = s.features().get(0);
        final Manifest.FeatureStats flag = s.features().get(1);
        assertEquals(9, amount.binEdges().length, "deciles of a continuous feature");
        assertEquals(1.0, java.util.Arrays.stream(amount.binShares()).sum(), 1e-9);
        assertEquals(0.1, amount.binShares()[3], 0.005);
        assertTrue(flag.binEdges().length <= 1, "a binary flag has at most one edge");
        assertEquals(0.98, flag.binShares()[0], 0.01);

        final long[] same = new long[amount.binShares().length];
        final long[] shifted = new long[amount.binShares().length];
        for (int i = 0; i < 5_000; i++) {
            same[amount.bin(Math.exp(3 + random.nextGaussian()))]++;
            shifted[amount.bin(Math.exp(3.5 + random.nextGaussian()))]++;
        }
        assertTrue(Psi.of(same, amount.binShares()) < 0.02, () -> "same: " + Psi.of(same, amount.binShares()));
        assertTrue(Psi.of(shifted, amount.binShares()) > 0.2, () -> "shifted: " + Psi.of(shifted, amount.binShares()));
        assertEquals(0.0, Psi.of(new long[amount.binShares().length], amount.binShares()), "no data, no drift");
    }
}
