package dev.fraudscorer.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed examples of every feature kind, on the handbook spec. */
class FeatureEngineTest {

    private static final long HOUR = 3600_000L;
    private static final long DAY = 24 * HOUR;
    /** Wednesday 2018-04-04 10:00 UTC. */
    private static final long T0 = Instant.parse("2018-04-04T10:00:00Z").toEpochMilli();
    private static final FeatureSpec SPEC = FeatureSpec.handbook();

    private final InMemoryEventStore customers = new InMemoryEventStore();
    private final InMemoryEventStore terminals = new InMemoryEventStore();
    private final FeatureEngine engine = new FeatureEngine(customers, terminals);

    private double[] score(TxInput tx) {
        engine.recordCustomer(tx, 30);
        final double[] features = engine.compute(SPEC, tx);
        EntityHistory.putAndEvict(terminals, EntityHistory.transaction(tx.terminalId(), tx), 38);
        return features;
    }

    private static double feature(double[] values, String name) {
        return values[SPEC.names().indexOf(name)];
    }

    private static TxInput tx(String id, long time, String customer, String terminal, double amount) {
        return new TxInput(id, time, customer, terminal, amount);
    }

    @Test
    void handbookSpecHasTheFifteenInputsInOrder() {
        assertEquals(List.of("TX_AMOUNT", "TX_DURING_WEEKEND", "TX_DURING_NIGHT",
                "CUSTOMER_ID_NB_TX_1DAY_WINDOW", "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW",
                "CUSTOMER_ID_NB_TX_7DAY_WINDOW", "CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW",
                "CUSTOMER_ID_NB_TX_30DAY_WINDOW", "CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW",
                "TERMINAL_ID_NB_TX_1DAY_WINDOW", "TERMINAL_ID_RISK_1DAY_WINDOW",
                "TERMINAL_ID_NB_TX_7DAY_WINDOW", "TERMINAL_ID_RISK_7DAY_WINDOW",
                "TERMINAL_ID_NB_TX_30DAY_WINDOW", "TERMINAL_ID_RISK_30DAY_WINDOW"), SPEC.names());
        assertEquals(30, SPEC.historyDays(Entity.CUSTOMER_ID));
        assertEquals(37, SPEC.historyDays(Entity.TERMINAL_ID));
    }

    @Test
    void statelessFeatures() {
        final long saturdayNight = Instant.parse("2018-04-07T06:59:59Z").toEpochMilli();
        final double[] f = score(tx("1", saturdayNight, "c", "t", 12.5));
        assertEquals(12.5, feature(f, "TX_AMOUNT"));
        assertEquals(1, feature(f, "TX_DURING_WEEKEND"));
        assertEquals(1, feature(f, "TX_DURING_NIGHT"));
        final double[] g = score(tx("2", saturdayNight + 1000 + 2 * DAY, "c", "t", 1));
        assertEquals(0, feature(g, "TX_DURING_WEEKEND"), "Monday");
        assertEquals(0, feature(g, "TX_DURING_NIGHT"), "07:00:00 is day");
    }

    @Test
    void customerWindowsIncludeTheCurrentTransactionAndExcludeExactlyWDaysBack() {
        score(tx("1", T0, "c", "t", 10));
        score(tx("2", T0 + 12 * HOUR, "c", "t", 20));
        score(tx("3", T0 + 12 * HOUR, "other", "t", 1000));
        final double[] f = score(tx("4", T0 + DAY, "c", "t", 30));
        assertEquals(2, feature(f, "CUSTOMER_ID_NB_TX_1DAY_WINDOW"), "tx 1 is exactly one day back: outside");
        assertEquals(25, feature(f, "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW"), 1e-12);
        assertEquals(3, feature(f, "CUSTOMER_ID_NB_TX_7DAY_WINDOW"));
        assertEquals(20, feature(f, "CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW"), 1e-12);
        final double[] g = score(tx("5", T0 + DAY + 1000, "c", "t", 40));
        assertEquals(3, feature(g, "CUSTOMER_ID_NB_TX_1DAY_WINDOW"));
        assertEquals(30, feature(g, "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW"), 1e-12);
        final double[] late = score(tx("6", T0 + 30 * DAY, "c", "t", 100));
        assertEquals(4, feature(late, "CUSTOMER_ID_NB_TX_30DAY_WINDOW"), "tx 1 is exactly 30 days back: outside");
        assertEquals(1, feature(late, "CUSTOMER_ID_NB_TX_7DAY_WINDOW"));
    }

    @Test
    void sameSecondTransactionsCountInNumericTransactionIdOrder() {
        // "12" arrives first but comes after "5" numerically: it must see 5 once 5 is there, and 5 must not see 12.
        final double[] first12 = score(tx("12", T0, "c", "t", 10));
        assertEquals(1, feature(first12, "CUSTOMER_ID_NB_TX_1DAY_WINDOW"));
        final double[] then5 = score(tx("5", T0, "c", "t", 30));
        assertEquals(1, feature(then5, "CUSTOMER_ID_NB_TX_1DAY_WINDOW"), "5 does not see 12");
        assertEquals(30, feature(then5, "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW"));
        // In order (as the trainer replays): 5 then 12 sees both.
        final FeatureEngine fresh = new FeatureEngine(new InMemoryEventStore(), new InMemoryEventStore());
        fresh.recordCustomer(tx("5", T0, "c", "t", 30), 30);
        final TxInput twelve = tx("12", T0, "c", "t", 10);
        fresh.recordCustomer(twelve, 30);
        final double[] f = fresh.compute(SPEC, twelve);
        assertEquals(2, feature(f, "CUSTOMER_ID_NB_TX_1DAY_WINDOW"));
        assertEquals(20, feature(f, "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW"));
    }

    @Test
    void recordingTheSameTransactionTwiceCountsOnce() {
        score(tx("1", T0, "c", "t", 10));
        final double[] f = score(tx("1", T0, "c", "t", 10));
        assertEquals(1, feature(f, "CUSTOMER_ID_NB_TX_30DAY_WINDOW"));
    }

    @Test
    void terminalWithNoHistoryHasZeroCountAndZeroRisk() {
        final double[] f = score(tx("1", T0, "c", "fresh-terminal", 10));
        for (String name : SPEC.names()) {
            if (name.startsWith("TERMINAL_ID")) {
                assertEquals(0, feature(f, name), name);
            }
        }
    }

    @Test
    void terminalWindowsEndAtTheDelayInclusiveAndUseLabelsOnceTheyArrived() {
        score(tx("1", T0, "a", "t", 10));                  // fraud, labelled below
        score(tx("2", T0 + HOUR, "b", "t", 10));           // genuine
        score(tx("3", T0 - DAY, "b", "t", 10));            // exactly 8 days before tx 10: outside the 1-day window
        // tx 10 at T0 + 7d + 1h: its 1-day terminal window is (ts - 8d, ts - 7d] = (T0 - 1d + 1h, T0 + 1h].
        final TxInput ten = tx("10", T0 + 7 * DAY + HOUR, "c", "t", 10);
        final double[] before = score(ten);
        assertEquals(2, feature(before, "TERMINAL_ID_NB_TX_1DAY_WINDOW"), "tx 2 sits exactly at ts - 7d: inside");
        assertEquals(0, feature(before, "TERMINAL_ID_RISK_1DAY_WINDOW"), "no label has arrived yet");
        assertEquals(3, feature(before, "TERMINAL_ID_NB_TX_7DAY_WINDOW"));

        // The label for tx 1 arrives late: after tx 10 was scored. Later transactions see it.
        EntityHistory.putAndEvict(terminals, EntityHistory.label("t", T0, "1", true), 38);
        final double[] after = score(tx("11", T0 + 7 * DAY + HOUR, "d", "t", 10));
        assertEquals(0.5, feature(after, "TERMINAL_ID_RISK_1DAY_WINDOW"));
        assertEquals(1.0 / 3, feature(after, "TERMINAL_ID_RISK_7DAY_WINDOW"), 1e-15);
        // A transaction within the delay (tx 10 itself, 7d after) is not in tx 11's windows.
        assertEquals(3, feature(after, "TERMINAL_ID_NB_TX_30DAY_WINDOW"));
        // A genuine label counts the transaction but not as fraud.
        EntityHistory.putAndEvict(terminals, EntityHistory.label("t", T0 + HOUR, "2", false), 38);
        final double[] genuine = score(tx("12", T0 + 7 * DAY + HOUR, "d", "t", 10));
        assertEquals(0.5, feature(genuine, "TERMINAL_ID_RISK_1DAY_WINDOW"));
    }

    @Test
    void evictionKeepsOnlyTheRetainedDays() {
        for (int day = 0; day < 100; day++) {
            score(tx(String.valueOf(day), T0 + day * DAY, "c", "t", 1));
        }
        assertTrue(customers.size() <= 31, "customer entries: " + customers.size());
        assertTrue(terminals.size() <= 39, "terminal entries: " + terminals.size());
    }

    @Test
    void specsAskingForWhatTheStateCannotAnswerAreRejected() {
        final FeatureEngine.Capabilities online = new FeatureEngine.Capabilities(35, 45, 1);
        FeatureEngine.check(SPEC, online);
        final FeatureSpec tooLong = new FeatureSpec(List.of(FeatureDef.windowed("C90", FeatureKind.COUNT,
                Entity.CUSTOMER_ID, 90, 0)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureEngine.check(tooLong, online))
                .getMessage().contains("needs 90 days of CUSTOMER_ID history; 35 are kept"));
        final FeatureSpec freshTerminal = new FeatureSpec(List.of(FeatureDef.windowed("T0", FeatureKind.COUNT,
                Entity.TERMINAL_ID, 1, 0)));
        assertThrows(IllegalArgumentException.class, () -> FeatureEngine.check(freshTerminal, online));
        assertThrows(IllegalArgumentException.class, () -> FeatureDef.windowed("R", FeatureKind.FRAUD_RATE,
                Entity.TERMINAL_ID, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec(List.of(
                FeatureDef.stateless("A", FeatureKind.AMOUNT), FeatureDef.stateless("A", FeatureKind.NIGHT))));
    }

    @Test
    void otherWindowsNeedNoCodeChange() {
        final FeatureSpec spec = new FeatureSpec(List.of(
                FeatureDef.windowed("C_NB_2D", FeatureKind.COUNT, Entity.CUSTOMER_ID, 2, 0),
                FeatureDef.windowed("C_AVG_3D_LAG1", FeatureKind.MEAN_AMOUNT, Entity.CUSTOMER_ID, 3, 1)));
        score(tx("1", T0, "c", "t", 10));
        score(tx("2", T0 + DAY + HOUR, "c", "t", 20));
        final TxInput three = tx("3", T0 + 2 * DAY, "c", "t", 30);
        engine.recordCustomer(three, 30);
        // 2-day window (T0, T0+2d]: tx 2 and 3. Lagged window (T0-2d, T0+1d]: tx 1 only.
        assertArrayEquals(new double[] {2, 10}, engine.compute(spec, three));
    }

    /** A spec with the kinds that compare a transaction with the card's earlier ones. */
    private static final FeatureSpec RELATIVE = new FeatureSpec(List.of(
            FeatureDef.windowed("TO_MEAN_7", FeatureKind.AMOUNT_TO_MEAN, Entity.CUSTOMER_ID, 7, 0),
            FeatureDef.windowed("TO_MEAN_1", FeatureKind.AMOUNT_TO_MEAN, Entity.CUSTOMER_ID, 1, 0),
            FeatureDef.windowed("ROBUST_Z_7", FeatureKind.AMOUNT_ROBUST_Z, Entity.CUSTOMER_ID, 7, 0),
            FeatureDef.windowed("SINCE_PREVIOUS_7", FeatureKind.SECONDS_SINCE_PREVIOUS, Entity.CUSTOMER_ID, 7, 0),
            FeatureDef.windowed("TERMINAL_TO_MEAN_7", FeatureKind.AMOUNT_TO_MEAN, Entity.TERMINAL_ID, 7, 7)));

    private double[] relative(TxInput tx) {
        engine.recordCustomer(tx, 30);
        final double[] features = engine.compute(RELATIVE, tx);
        EntityHistory.putAndEvict(terminals, EntityHistory.transaction(tx.terminalId(), tx), 38);
        return features;
    }

    @Test
    void aFirstTransactionHasNothingToCompareWith() {
        final double[] f = relative(tx("1", T0, "c", "t", 50));
        assertArrayEquals(new double[] {-1, -1, 0, 7 * 24 * 3600, -1}, f);
    }

    @Test
    void amountsAreComparedWithTheCardsEarlierTransactionsInTheWindowNotWithThemselves() {
        relative(tx("1", T0 - 3 * DAY, "c", "t", 10));
        relative(tx("2", T0 - 2 * DAY, "c", "t", 20));
        relative(tx("3", T0 - 2 * HOUR, "c", "t", 30));
        relative(tx("9", T0 - HOUR, "other", "t", 5000));
        final double[] f = relative(tx("4", T0, "c", "t", 100));
        // Earlier in 7 days: 10, 20, 30 (mean 20, median 20, absolute deviations 10, 0, 10: MAD 10).
        assertEquals(100 / 20.0, f[0], 1e-12);
        assertEquals(100 / 30.0, f[1], 1e-12, "one day: only tx 3");
        assertEquals((100 - 20) / (1.4826 * 10), f[2], 1e-12);
        assertEquals(2 * 3600, f[3], 1e-12, "two hours since tx 3");
        assertEquals(-1, f[4], "the terminal's window ends 7 days back: nothing there yet");
        // The same second, a smaller id: earlier than tx 4, and tx 4 itself is earlier than tx 5.
        final double[] g = relative(tx("5", T0, "c", "t", 20));
        assertEquals(20 / 40.0, g[0], 1e-12, "earlier: 10, 20, 30, 100");
        assertEquals(0, g[3], "tx 4 at the same time");
    }

    @Test
    void withoutSpreadTheRobustZScoreIsZero() {
        relative(tx("1", T0 - 2 * DAY, "c", "t", 10));
        relative(tx("2", T0 - DAY, "c", "t", 10));
        final double[] f = relative(tx("3", T0, "c", "t", 500));
        assertEquals(0, f[2]);
        assertEquals(50, f[0], 1e-12);
    }

    @Test
    void terminalAmountsAreComparedWithTheTerminalsHistoryAWeekBack() {
        relative(tx("1", T0 - 10 * DAY, "a", "t", 40));
        relative(tx("2", T0 - 9 * DAY, "b", "t", 60));
        relative(tx("3", T0 - 3 * DAY, "b", "t", 1000));
        final double[] f = relative(tx("4", T0, "c", "t", 100));
        assertEquals(100 / 50.0, f[4], 1e-12, "only tx 1 and 2 are in (T0-14d, T0-7d]");
    }

    @Test
    void secondsSinceLastFraudCountBackFromTheWindowsEndToTheLatestLabelledFraud() {
        final FeatureSpec spec = new FeatureSpec(List.of(FeatureDef.windowed("SINCE_FRAUD", FeatureKind.SECONDS_SINCE_LAST_FRAUD,
                Entity.TERMINAL_ID, 30, 7), FeatureDef.windowed("SINCE_FIRST", FeatureKind.SECONDS_SINCE_FIRST_FRAUD,
                Entity.TERMINAL_ID, 30, 7), FeatureDef.windowed("SHARE", FeatureKind.FRAUD_SHARE_SINCE_FIRST_FRAUD,
                Entity.TERMINAL_ID, 30, 7)));
        final TxInput first = tx("1", T0, "a", "t", 10);
        final TxInput second = tx("2", T0 + 5 * HOUR, "b", "t", 10);
        for (TxInput tx : List.of(first, second)) {
            engine.recordCustomer(tx, 30);
            EntityHistory.putAndEvict(terminals, EntityHistory.transaction(tx.terminalId(), tx), 38);
        }
        final TxInput later = tx("9", T0 + 8 * DAY, "c", "t", 10);
        engine.recordCustomer(later, 30);
        assertArrayEquals(new double[] {30 * 24 * 3600, 30 * 24 * 3600, 0}, engine.compute(spec, later),
                "no fraud labelled: the window's length");
        EntityHistory.putAndEvict(terminals, EntityHistory.label("t", T0, "1", true), 38);
        EntityHistory.putAndEvict(terminals, EntityHistory.label("t", T0 + 5 * HOUR, "2", false), 38);
        // The window ends at T0 + 1d; the only fraud (tx 1, the genuine tx 2 does not count) is a day before, and
        // one of the two transactions from it on is a fraud.
        assertArrayEquals(new double[] {24 * 3600, 24 * 3600, 0.5}, engine.compute(spec, later), 1e-9);
        EntityHistory.putAndEvict(terminals, EntityHistory.label("t", T0 + 5 * HOUR, "2", true), 38);
        assertArrayEquals(new double[] {19 * 3600, 24 * 3600, 1}, engine.compute(spec, later), 1e-9,
                "latest fraud tx 2 (19 h before the window's end), first tx 1");
        assertThrows(IllegalArgumentException.class, () -> FeatureDef.windowed("X", FeatureKind.SECONDS_SINCE_LAST_FRAUD,
                Entity.TERMINAL_ID, 30, 0), "labels need a delay");
        assertThrows(IllegalArgumentException.class, () -> FeatureEngine.check(new FeatureSpec(List.of(FeatureDef.windowed(
                "Y", FeatureKind.SECONDS_SINCE_LAST_FRAUD, Entity.CUSTOMER_ID, 7, 7))),
                new FeatureEngine.Capabilities(100, 100, 0)), "labels feed terminal history only");
    }

    @Test
    void hourAndDayOfWeekAreJavaTimesInUtc() {
        final java.util.Random random = new java.util.Random(7);
        final List<Long> instants = new java.util.ArrayList<>(List.of(0L, -1L, 1L, 86_399_999L, 86_400_000L,
                -86_400_000L, -86_400_001L, Instant.parse("2018-04-01T06:59:59.999Z").toEpochMilli(),
                Instant.parse("2018-04-01T07:00:00Z").toEpochMilli(), Instant.parse("1969-12-31T23:30:00Z").toEpochMilli()));
        for (int i = 0; i < 100_000; i++) {
            instants.add(random.nextLong() % 20_000_000_000_000L); // about 634 years either side of 1970
        }
        for (long ms : instants) {
            final java.time.ZonedDateTime utc = Instant.ofEpochMilli(ms).atZone(java.time.ZoneOffset.UTC);
            assertEquals(utc.getHour(), FeatureEngine.utcHour(ms), "hour of " + ms);
            assertEquals(utc.getDayOfWeek(), FeatureEngine.utcDayOfWeek(ms), "day of " + ms);
        }
    }
}
