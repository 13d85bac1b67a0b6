package dev.fraudscorer.scorer.verdict;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.ReasonCode;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Maps a score to a decision with the model's own thresholds and assembles the verdict record. */
public final class VerdictBuilder {

    private VerdictBuilder() {
    }

    public static Decision decide(double score, Manifest.Thresholds thresholds) {
        return switch (thresholds.band(score)) {
            case DECLINE -> Decision.DECLINE;
            case REVIEW -> Decision.REVIEW;
            case APPROVE -> Decision.APPROVE;
        };
    }

    /** How many features a REVIEW or DECLINE verdict names. */
    public static final int REASON_CODES = 3;

    /**
     * Outlier flag, anomaly score and the features responsible come from the bundle's input screening (none for a
     * bundle without it); review_required is set for REVIEW, for outliers and for scores in the manifest's
     * uncertain band just below REVIEW. Reason codes: for REVIEW and DECLINE, the {@link #REASON_CODES} features that pushed the score up
     * most (TreeSHAP contributions to the margin, largest first); APPROVE verdicts carry none, which keeps the cost
     * of contributions off the common path.
     *
     * @param thresholdsId  {@code thresholds.id()}, computed once per model: it hashes, too slow per record
     * @param contributions the model's per-feature contributions for {@code features}, bias last
     */
    public static Verdict build(Transaction tx, double score, String modelName, int modelVersion,
                                Manifest.Thresholds thresholds, String thresholdsId, Instant scoredAt, String traceId,
                                List<String> featureNames, double[] features,
                                java.util.function.Function<double[], double[]> contributions,
                                dev.fraudscorer.outlier.InputScreen screen) {
        final Map<String, Double> inputs = new FeatureValues(featureNames, features);
        final Decision decision = decide(score, thresholds);
        final dev.fraudscorer.outlier.InputScreen.Result screened = screen == null
                ? new dev.fraudscorer.outlier.InputScreen.Result(0, false, List.of()) : screen.check(features);
        return Verdict.newBuilder()
                .setTransactionId(tx.getTransactionId())
                .setCustomerId(tx.getCustomerId())
                .setTerminalId(tx.getTerminalId())
                .setEventTime(tx.getEventTime())
                .setScore(score)
                .setDecision(decision)
                .setOutlier(screened.outlier())
                .setAnomalyScore(Double.isFinite(screened.anomalyScore()) ? screened.anomalyScore() : Double.MAX_VALUE)
                .setOutlierFeatures(screened.responsible())
                .setReviewRequired(decision == Decision.REVIEW || screened.outlier()
                        || (screen != null && screen.uncertain(score)))
                .setReasonCodes(decision == Decision.APPROVE ? List.of()
                        : reasonCodes(featureNames, features, contributions.apply(features)))
                .setModelName(modelName)
                .setModelVersion(modelVersion)
                .setThresholdsId(thresholdsId)
                .setScoredAt(scoredAt)
                .setTraceId(traceId)
                .setFeatures(inputs)
                .build();
    }

    static List<ReasonCode> reasonCodes(List<String> names, double[] features, double[] contributions) {
        return java.util.stream.IntStream.range(0, features.length).boxed()
                .sorted((a, b) -> Double.compare(contributions[b], contributions[a]))
                .limit(REASON_CODES)
                .map(i -> ReasonCode.newBuilder().setFeature(names.get(i)).setValue(features[i])
                        .setContribution(contributions[i]).build())
                .toList();
    }
}
