package dev.fraudscorer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Values checked by hand and against scikit-learn's documented examples. */
class RankingMetricsTest {

    @Test
    void rocAucMatchesScikitLearnsExample() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assertEquals(0.75, RankingMetrics.rocAuc(new double[] {0.1, 0.4, 0.35, 0.8},
                new boolean[] {false, false, true, true}), 1e-12);
    }

    @Test
    void averagePrecisionMatchesScikitLearnsExample() {
        // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
        assertEquals(5.0 / 6, RankingMetrics.averagePrecision(new double[] {0.1, 0.4, 0.35, 0.8},
                new boolean[] {false, false, true, true}), 1e-12);
    }

    @Test
    void tiesShareRanks() {
        assertEquals(0.5, RankingMetrics.rocAuc(new double[] {0.3, 0.3, 0.3, 0.3},
                new boolean[] {true, false, true, false}), 1e-12);
        assertEquals(0.5, RankingMetrics.averagePrecision(new double[] {0.3, 0.3, 0.3, 0.3},
                new boolean[] {true, false, true, false}), 1e-12);
    }

    @Test
    void undefinedWithoutBothClasses() {
        assertTrue(Double.isNaN(RankingMetrics.rocAuc(new double[] {0.1, 0.2}, new boolean[] {false, false})));
        assertTrue(Double.isNaN(RankingMetrics.averagePrecision(new double[] {0.1, 0.2}, new boolean[] {false, false})));
    }
}
