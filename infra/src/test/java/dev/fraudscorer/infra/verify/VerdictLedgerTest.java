package dev.fraudscorer.infra.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.schema.Decision;
import dev.fraudscorer.schema.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictLedgerTest {

    @Test
    void aRepeatCountsAsDifferingOnlyWhenScoreDecisionOrVersionChange() {
        final VerdictLedger ledger = new VerdictLedger(Map.of(), "http://unused",
                new VerdictLedger.Expected(Map.of(), List.of(), new double[0][]));
        ledger.repeated("1", verdict("1", 0.25, Decision.APPROVE, 1, Instant.parse("2026-12-07T00:00:00Z")));
        // Scored again later (another scoredAt): the same verdict for a consumer de-duplicating by transaction id.
        ledger.repeated("1", verdict("1", 0.25, Decision.APPROVE, 1, Instant.parse("2026-12-07T00:00:05Z")));
        assertEquals(1, ledger.repeatedVerdicts);
        assertEquals(List.of(), ledger.differingRepeats);

        ledger.repeated("2", verdict("2", 0.25, Decision.APPROVE, 1, Instant.EPOCH));
        ledger.repeated("2", verdict("2", 0.25, Decision.APPROVE, 2, Instant.EPOCH));
        ledger.repeated("3", verdict("3", 0.5, Decision.REVIEW, 1, Instant.EPOCH));
        ledger.repeated("3", verdict("3", 0.5000001, Decision.REVIEW, 1, Instant.EPOCH));
        ledger.repeated("4", verdict("4", 0.5, Decision.REVIEW, 1, Instant.EPOCH)); // once only: not a repeat
        assertEquals(3, ledger.repeatedVerdicts);
        assertEquals(2, ledger.differingRepeats.size(), ledger.differingRepeats.toString());
        assertEquals("2: score 0.25, APPROVE, version 1, then score 0.25, APPROVE, version 2",
                ledger.differingRepeats.get(0));
    }

    private static Verdict verdict(String id, double score, Decision decision, int version, Instant scoredAt) {
        return Verdict.newBuilder().setTransactionId(id).setCustomerId("c").setTerminalId("t")
                .setEventTime(Instant.EPOCH).setScore(score).setDecision(decision).setOutlier(false).setAnomalyScore(0)
                .setReviewRequired(decision == Decision.REVIEW).setReasonCodes(List.of()).setModelName("fraud")
                .setModelVersion(version).setScoredAt(scoredAt).setTraceId(null).setFeatures(Map.of())
                .setOutlierFeatures(List.of()).setThresholdsId("x").build();
    }
}
