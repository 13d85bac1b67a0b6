package dev.fraudscorer.scorer.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.outlier.InputScreen;
import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every decision path: thresholds, the uncertain band, outliers, and reason codes only where a human looks. */
class VerdictBuilderTest {

    private static final Manifest.Thresholds THRESHOLDS = new Manifest.Thresholds(0.04, 0.40, "test");
    private static final InputScreen SCREEN = new InputScreen(new Manifest.Screening(List.of(
            new Manifest.FeatureStats("A", 50, 40, 55, 30), new Manifest.FeatureStats("B", 0, 0, 0.1, 0.3)),
            6.0, 0.03, 0.04, "test"));
    private static final double[] NORMAL = {60, 0};

    private static Verdict build(double score, double[] x) {
        final Transaction tx = Transaction.newBuilder().setTransactionId("t").setEventTime(Instant.EPOCH)
                .setCustomerId("c").setTerminalId("p").setAmount(x[0]).build();
        return VerdictBuilder.build(tx, score, "fraud", 1, THRESHOLDS, THRESHOLDS.id(), Instant.EPOCH, null, List.of("A", "B"), x,
                features -> new double[] {0.5, -0.2, -1.0}, SCREEN);
    }

    @Test
    void approveReviewDeclineAndTheUncertainBand() {
        final Verdict approve = build(0.01, NORMAL);
        assertEquals(Decision.APPROVE, approve.getDecision());
        assertFalse(approve.getReviewRequired());
        assertEquals(List.of(), approve.getReasonCodes());
        assertEquals(THRESHOLDS.id(), approve.getThresholdsId());
        assertEquals(12, approve.getThresholdsId().length());
        assertFalse(THRESHOLDS.id().equals(new Manifest.Thresholds(0.04, 0.41, "test").id()));

        final Verdict uncertain = build(0.035, NORMAL);
        assertEquals(Decision.APPROVE, uncertain.getDecision());
        assertTrue(uncertain.getReviewRequired(), "just below REVIEW: a human should look");

        final Verdict review = build(0.04, NORMAL);
        assertEquals(Decision.REVIEW, review.getDecision());
        assertTrue(review.getReviewRequired());
        assertEquals(List.of("A", "B"), review.getReasonCodes().stream().map(r -> r.getFeature()).toList(),
                "largest contribution first; two inputs, so two codes");

        final Verdict decline = build(0.9, NORMAL);
        assertEquals(Decision.DECLINE, decline.getDecision());
        assertFalse(decline.getOutlier());
        assertEquals(10 * 1.349 / 40, decline.getAnomalyScore(), 1e-9, "A: |60 - 50| / (IQR 40 / 1.349)");
    }

    @Test
    void theFeaturesMapNamesEveryInputInOrderAndSurvivesAvro() throws Exception {
        final double[] x = {60, 0.25};
        final Verdict v = build(0.01, x);
        x[0] = -1; // the caller's buffer is reused for the next record
        final java.util.Map<String, Double> expected = new java.util.LinkedHashMap<>();
        expected.put("A", 60.0);
        expected.put("B", 0.25);
        assertEquals(expected, v.getFeatures());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(v.getFeatures().keySet()), "the model's input order");
        assertEquals(60.0, v.getFeatures().get("A"));

        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final org.apache.avro.io.BinaryEncoder out = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(Verdict.class).write(v, out);
        out.flush();
        final Verdict read = new org.apache.avro.specific.SpecificDatumReader<>(Verdict.class).read(null,
                org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertEquals(expected, read.getFeatures());
        assertEquals(v, read);
    }

    @Test
    void anOutlierIsFlaggedWithTheFeaturesResponsibleAndNeedsReview() {
        final Verdict v = build(0.01, new double[] {60, 3});
        assertEquals(Decision.APPROVE, v.getDecision());
        assertTrue(v.getOutlier());
        assertEquals(List.of("B"), v.getOutlierFeatures());
        assertEquals(10.0, v.getAnomalyScore(), 1e-9, "B: |3 - 0| / std 0.3");
        assertTrue(v.getReviewRequired());
    }
}
