package dev.fraudscorer.scorer.verdict;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps a score to a decision with the model's own thresholds and assembles the verdict record. */
public final class VerdictBuilder {

    private VerdictBuilder() {
    }

    public static Decision decide(double score, Manifest.Thresholds thresholds) {
        if (score >= thresholds.decline()) {
            return Decision.DECLINE;
        }
        return score >= thresholds.review() ? Decision.REVIEW : Decision.APPROVE;
    }

    /**
     * Outlier flag, anomaly score and reason codes are placeholders until the bundle ships reference statistics
     * and contributions (issue 5): no outlier, 0, none.
     */
    public static Verdict build(Transaction tx, double score, String modelName, int modelVersion,
                                Manifest.Thresholds thresholds, Instant scoredAt, String traceId,
                                List<String> featureNames, double[] features) {
        final Map<String, Double> inputs = new LinkedHashMap<>();
        for (int i = 0; i < features.length; i++) {
            inputs.put(featureNames.get(i), features[i]);
        }
        final Decision decision = decide(score, thresholds);
        return Verdict.newBuilder()
                .setTransactionId(tx.getTransactionId())
                .setCustomerId(tx.getCustomerId())
                .setTerminalId(tx.getTerminalId())
                .setEventTime(tx.getEventTime())
                .setScore(score)
                .setDecision(decision)
                .setOutlier(false)
                .setAnomalyScore(0.0)
                .setReviewRequired(decision == Decision.REVIEW)
                .setReasonCodes(List.of())
                .setModelName(modelName)
                .setModelVersion(modelVersion)
                .setScoredAt(scoredAt)
                .setTraceId(traceId)
                .setFeatures(inputs)
                .build();
    }
}
