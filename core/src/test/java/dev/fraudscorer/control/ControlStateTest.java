package dev.fraudscorer.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class ControlStateTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    private static final IntPredicate PUBLISHED = Set.of(1, 2, 3)::contains;

    private static ControlState run(ControlState state, ControlCommand... commands) {
        for (ControlCommand c : commands) {
            state = state.apply(state.next(c, "ops", "test", CLOCK, PUBLISHED));
        }
        return state;
    }

    @Test
    void promoteCanaryShadowAndRollbackEachRaiseTheGenerationByOne() {
        final ControlState s = run(ControlState.empty("fraud"), new ControlCommand.Promote(1),
                new ControlCommand.Canary(2, 10), new ControlCommand.Shadow(3));
        final ControlContent c = s.applied().orElseThrow();
        assertEquals(List.of(1, 2, 10, 3, 3L), List.of(c.activeVersion(), c.canaryVersion(), c.canaryPercent(),
                c.shadowVersion(), c.generation()));
        assertEquals(CLOCK.millis(), c.issuedAtMs());
        assertEquals("ops", c.issuedBy());

        final ControlContent promoted = run(s, new ControlCommand.Promote(2)).applied().orElseThrow();
        assertEquals(2, promoted.activeVersion());
        assertEquals(1, promoted.previousVersion());
        assertNull(promoted.canaryVersion(), "promoting the canary's version ends the canary");
        assertEquals(0, promoted.canaryPercent());
        assertEquals(3, promoted.shadowVersion(), "the shadow is left as it was");

        final ControlContent rolledBack = run(s, new ControlCommand.Promote(2), new ControlCommand.Rollback(null))
                .applied().orElseThrow();
        assertEquals(1, rolledBack.activeVersion());
        assertEquals(2, rolledBack.previousVersion());
        assertEquals(List.of(2), rolledBack.rolledBack(), "the version left for cause is remembered");
        assertEquals(5L, rolledBack.generation());
        assertEquals(List.of(), run(s, new ControlCommand.Promote(2), new ControlCommand.Rollback(null),
                new ControlCommand.Promote(2)).applied().orElseThrow().rolledBack(), "a human promotion forgives it");
    }

    @Test
    void commandsThatDoNotApplyAreRefusedWithOneLine() {
        final ControlState empty = ControlState.empty("fraud");
        assertEquals("model 'fraud' has no active version yet; promote one first", assertThrows(ControlState.Refused.class,
                () -> empty.next(new ControlCommand.Canary(2, 10), "ops", "r", CLOCK, PUBLISHED)).getMessage());
        assertEquals("version 42 of model 'fraud' is not published; see 'model-control list'",
                assertThrows(ControlState.Refused.class, () -> empty.next(new ControlCommand.Promote(42), "ops", "r",
                        CLOCK, PUBLISHED)).getMessage());
        final ControlState one = run(empty, new ControlCommand.Promote(1));
        assertThrows(ControlState.Refused.class, () -> one.next(new ControlCommand.Promote(1), "o", "r", CLOCK, PUBLISHED));
        assertThrows(ControlState.Refused.class, () -> one.next(new ControlCommand.Canary(1, 10), "o", "r", CLOCK, PUBLISHED));
        assertThrows(ControlState.Refused.class, () -> one.next(new ControlCommand.Canary(2, 100), "o", "r", CLOCK, PUBLISHED));
        assertThrows(ControlState.Refused.class, () -> one.next(new ControlCommand.ClearCanary(), "o", "r", CLOCK, PUBLISHED));
        assertEquals("model 'fraud' has no previous version to roll back to; use --to VERSION",
                assertThrows(ControlState.Refused.class, () -> one.next(new ControlCommand.Rollback(null), "o", "r", CLOCK,
                        PUBLISHED)).getMessage());
        assertEquals(3, run(one, new ControlCommand.Rollback(3)).applied().orElseThrow().activeVersion());
    }

    @Test
    void onlyARecordThatRaisesTheGenerationIsApplied() {
        final ControlState one = run(ControlState.empty("fraud"), new ControlCommand.Promote(1));
        final ControlContent first = one.applied().orElseThrow();
        final ControlState two = run(one, new ControlCommand.Promote(2));
        assertSame(two, two.apply(first), "a replayed older generation changes nothing");
        final ControlContent sameGeneration = one.next(new ControlCommand.Promote(3), "x", "race", CLOCK, PUBLISHED);
        assertFalse(two.accepts(sameGeneration), "an equal generation from a race is not applied");
        assertTrue(two.accepts(two.applied().orElseThrow()), "the record in force read again (a restore) is");
        assertFalse(ControlState.empty("other").accepts(first), "another model's record is not this model's");
    }

    @Test
    void modelRefsTravelAsModelSlashVersion() {
        assertEquals(new ModelRef("fraud", 12), ModelRef.parse("fraud/12"));
        assertEquals("fraud/12", new ModelRef("fraud", 12).toString());
        assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("fraud"));
        assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("fraud/x"));
        assertThrows(IllegalArgumentException.class, () -> new ModelRef("a/b", 1), "a name with '/' would not parse back");
    }
}
