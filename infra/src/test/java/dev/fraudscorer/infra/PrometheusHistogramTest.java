package dev.fraudscorer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrometheusHistogramTest {

    // Two label sets of one histogram (summed per bound), another metric, a comment: as a /metrics page has them.
    private static final String PAGE = """
            # TYPE fraud_x_seconds histogram
            fraud_x_seconds_bucket{app="a",le="0.1"} 6.0
            fraud_x_seconds_bucket{app="a",le="0.2"} 12.0
            fraud_x_seconds_bucket{app="a",le="+Inf"} 12.0
            fraud_x_seconds_bucket{app="b",le="0.1"} 4.0
            fraud_x_seconds_bucket{app="b",le="0.2"} 6.0
            fraud_x_seconds_bucket{app="b",le="+Inf"} 8.0
            fraud_x_seconds_count{app="a"} 12.0
            fraud_y_seconds_bucket{le="0.1"} 1000.0
            """;

    @Test
    void interpolatesInsideTheBucketAsHistogramQuantileDoes() {
        final PrometheusHistogram h = PrometheusHistogram.parse(PAGE, "fraud_x_seconds");
        assertEquals(20, h.count());
        // rank 10 of 20: all 10 in [0, 0.1] -> its top
        assertEquals(0.1, h.quantile(0.5), 1e-12);
        // rank 14: 4 of the 8 in (0.1, 0.2]
        assertEquals(0.15, h.quantile(0.7), 1e-12);
        // rank 19.8 falls in +Inf: the largest finite bound
        assertEquals(0.2, h.quantile(0.99), 1e-12);
    }

    @Test
    void anAbsentHistogramHasNoQuantiles() {
        final PrometheusHistogram h = PrometheusHistogram.parse(PAGE, "fraud_z_seconds");
        assertEquals(0, h.count());
        assertTrue(Double.isNaN(h.quantile(0.5)));
    }
}
