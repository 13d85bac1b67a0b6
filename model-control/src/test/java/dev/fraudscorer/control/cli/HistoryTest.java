package dev.fraudscorer.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.schema.ModelControl;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static ModelControl.Builder record(long generation, int active) {
        return ModelControl.newBuilder().setModelName("fraud").setActiveVersion(active).setGeneration(generation)
                .setIssuedBy("ana").setReason("why").setIssuedAt(Instant.parse("2026-11-30T01:00:00Z"));
    }

    @Test
    void eachRecordSaysWhatItChangedWhoSignedItAndWhetherScorersAppliedIt() {
        final ModelControl first = record(1, 1).build();
        final ModelControl canary = record(2, 1).setCanaryVersion(2).setCanaryPercent(10).setSignedBy("k1").build();
        final ModelControl promoted = record(3, 2).setPreviousVersion(1).setShadowVersion(3).build();
        final ModelControl rolledBack = record(4, 1).setPreviousVersion(2).setRolledBack(List.of(2)).setShadowVersion(3)
                .build();
        assertEquals(List.of("active none -> 1"), History.changes(null, first));
        assertEquals(List.of("canary none -> 2 on 10%"), History.changes(first, canary));
        assertEquals(List.of("active 1 -> 2", "canary 2 on 10% -> none", "shadow none -> 3"),
                History.changes(canary, promoted));
        assertEquals(List.of("active 2 -> 1", "rolled back [] -> [2]"), History.changes(promoted, rolledBack));
        assertEquals("generation 2  2026-11-30T01:00:00Z  by ana  signed by key k1  canary none -> 2 on 10%  (why)",
                History.line(first, canary, true));
        assertEquals("generation 1  2026-11-30T01:00:00Z  by ana  signed by nobody  active 2 -> 1, shadow 3 -> none  (why)"
                + "  IGNORED by"
                + " scorers: generation not above 3", History.line(promoted, first, false));
    }
}
