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
}
