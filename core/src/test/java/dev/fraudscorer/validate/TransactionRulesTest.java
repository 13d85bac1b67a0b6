package dev.fraudscorer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TransactionRulesTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
    private static final TransactionRules RULES = TransactionRules.defaults(NOW);
    private static final long T = Instant.parse("2018-04-01T10:00:00Z").toEpochMilli();

    private static TransactionRules.Kind kind(String tx, String customer, String terminal, double amount, long time) {
        return RULES.check(tx, customer, terminal, amount, time).map(TransactionRules.Problem::kind).orElse(null);
    }

    @Test
    void eachRuleRefusesWhatItIsFor() {
        assertTrue(RULES.check("t", "c", "m", 12.5, T).isEmpty());
        assertEquals(TransactionRules.Kind.MISSING_ID, kind(" ", "c", "m", 1, T));
        assertEquals(TransactionRules.Kind.MISSING_ID, kind("t", null, "m", 1, T));
        assertEquals(TransactionRules.Kind.MISSING_ID, kind("t", "c\u0000", "m", 1, T), "control character");
        assertEquals(TransactionRules.Kind.MISSING_ID, kind("t", "c", "m".repeat(257), 1, T), "too long");
        assertEquals(TransactionRules.Kind.INVALID_AMOUNT, kind("t", "c", "m", Double.NaN, T));
        assertEquals(TransactionRules.Kind.INVALID_AMOUNT, kind("t", "c", "m", -0.01, T));
        assertEquals(TransactionRules.Kind.INVALID_AMOUNT, kind("t", "c", "m", 1_000_000.01, T));
        assertEquals(TransactionRules.Kind.INVALID_EVENT_TIME, kind("t", "c", "m", 1, Instant.parse("1990-01-01T00:00:00Z")
                .toEpochMilli()));
        assertEquals(TransactionRules.Kind.INVALID_EVENT_TIME, kind("t", "c", "m", 1, NOW.millis() + 25L * 3600 * 1000));
        assertTrue(RULES.check("t", "c", "m", 1, NOW.millis() + 23L * 3600 * 1000).isEmpty(), "a clock a bit ahead");
    }
}
