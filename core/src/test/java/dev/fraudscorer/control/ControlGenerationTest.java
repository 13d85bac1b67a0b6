package dev.fraudscorer.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ControlGenerationTest {

    @Test
    void onlyAHigherGenerationReplacesTheRecordInForce() {
        assertTrue(ControlGeneration.supersedes(null, 1, false), "the first record");
        assertTrue(ControlGeneration.supersedes(4L, 5, false));
        assertFalse(ControlGeneration.supersedes(5L, 5, false), "an equal generation is a race or a replay");
        assertFalse(ControlGeneration.supersedes(5L, 3, false), "a replayed older record");
        assertTrue(ControlGeneration.supersedes(5L, 5, true), "the record in force read again");
        assertTrue(ControlGeneration.supersedes(0L, 0, false), "records from before generations");
    }
}
