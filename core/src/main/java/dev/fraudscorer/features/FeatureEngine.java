package dev.fraudscorer.features;

import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one implementation of feature computation. The trainer drives it over the dataset in time order
 * ({@link OfflineFeatures}); the scorer drives it record by record over Kafka Streams stores. Both feed it the same
 * entries in the same key layout, so a feature cannot be computed one way offline and another way live.
 */
public final class FeatureEngine {

    private static final int LAST_NIGHT_HOUR = 6;

    private final EventStore customers;
    private final EventStore terminals;
    private Plan plan;
    private Plan shadowPlan;

    public FeatureEngine(EventStore customers, EventStore terminals) {
        this.customers = customers;
        this.terminals = terminals;
    }

    /**
     * What state the caller keeps, against which {@link #check} validates a spec.
     *
     * @param customerHistoryDays days of customer history kept
     * @param terminalHistoryDays days of terminal history kept
     * @param minTerminalDelayDays smallest delay at which terminal history is complete (0 offline; online the
     *                             terminal history arrives asynchronously, see the README)
     */
    public record Capabilities(int customerHistoryDays, int terminalHistoryDays, int minTerminalDelayDays) {
    }

    /** @throws IllegalArgumentException saying what the spec asks that this state cannot answer */
    public static void check(FeatureSpec spec, Capabilities caps) {
        for (FeatureDef f : spec.features()) {
            if (!f.kind().windowed()) {
                continue;
            }
            if (f.entity() == Entity.CUSTOMER_ID && f.kind().readsLabels()) {
                throw new IllegalArgumentException("feature " + f.name() + ": customer fraud rates are not computed"
                        + " (labels feed terminal history only)");
            }
            final int need = f.windowDays() + f.delayDays();
            final int kept = f.entity() == Entity.CUSTOMER_ID ? caps.customerHistoryDays() : caps.terminalHistoryDays();
            if (need > kept) {
                throw new IllegalArgumentException("feature " + f.name() + " needs " + need + " days of "
                        + f.entity() + " history; " + kept + " are kept");
            }
            if (f.entity() == Entity.TERMINAL_ID && f.delayDays() < caps.minTerminalDelayDays()) {
                throw new IllegalArgumentException("feature " + f.name() + ": terminal windows must end at least "
                        + caps.minTerminalDelayDays() + " day(s) back, got delayDays=" + f.delayDays());
            }
        }
    }

    /** Adds {@code tx} to its customer's history; must precede {@link #compute} for the same transaction. */
    public void recordCustomer(TxInput tx, int retentionDays) {
        EntityHistory.putAndEvict(customers, EntityHistory.transaction(tx.customerId(), tx), retentionDays);
    }

    /** The spec's features for {@code tx}, in spec order, from the state as it is now. Not thread-safe (one engine per task). */
    public double[] compute(FeatureSpec spec, TxInput tx) {
        final Plan plan = planFor(spec);
        final double[] out = new double[spec.size()];
        final Sums[] sums = new Sums[plan.groups.length];
        for (int g = 0; g < sums.length; g++) {
            sums[g] = aggregate(plan.groups[g], plan.windowDays[g], plan.needsEarlier[g], plan.needsEpisode[g], tx);
        }
        for (int i = 0; i < out.length; i++) {
            final FeatureDef f = plan.defs[i];
            final Sums group = f.kind().windowed() ? sums[plan.groupOf[i]] : null;
            final int w = plan.windowOf[i];
            out[i] = switch (f.kind()) {
                case AMOUNT -> tx.amount();
                case WEEKEND -> isWeekend(utcDayOfWeek(tx.eventTimeMs())) ? 1 : 0;
                case NIGHT -> utcHour(tx.eventTimeMs()) <= LAST_NIGHT_HOUR ? 1 : 0;
                case COUNT -> group.count[w];
                case MEAN_AMOUNT -> group.count[w] == 0 ? 0 : group.amountSum[w] / group.count[w];
                case FRAUD_RATE -> group.count[w] == 0 ? 0 : (double) group.frauds[w] / group.count[w];
                case AMOUNT_TO_MEAN -> amountToMean(tx.amount(), group, w);
                case AMOUNT_ROBUST_Z -> robustZ(tx.amount(), group, w);
                case SECONDS_SINCE_LAST_FRAUD -> secondsBack(windowEnd(tx, f), group.lastFraudMs[w],
                        group.lastFraudMs[w] == Long.MIN_VALUE, f);
                case SECONDS_SINCE_FIRST_FRAUD -> secondsBack(windowEnd(tx, f), group.firstFraudMs[w],
                        group.firstFraudMs[w] == Long.MAX_VALUE, f);
                case FRAUD_SHARE_SINCE_FIRST_FRAUD -> group.sinceFirstFraudCount[w] == 0 ? 0
                        : (double) group.frauds[w] / group.sinceFirstFraudCount[w];
                case SECONDS_SINCE_PREVIOUS -> secondsBack(tx.eventTimeMs(), group.earlierLastMs[w],
                        group.earlierLastMs[w] == Long.MIN_VALUE, f);
            };
        }
        return out;
    }

    private static long windowEnd(TxInput tx, FeatureDef f) {
        return tx.eventTimeMs() - f.delayDays() * EntityHistory.DAY_MS;
    }

    /** Seconds from {@code thenMs} to {@code fromMs}; the window's length when there is no such event. */
    private static double secondsBack(long fromMs, long thenMs, boolean none, FeatureDef f) {
        return none ? f.windowDays() * (EntityHistory.DAY_MS / 1000) : (fromMs - thenMs) / 1000.0;
    }

    private record Group(Entity entity, int delayDays) {
    }

    /**
     * Which scans a spec needs: one per (entity, delay) group over its longest window, each feature reading one of
     * the group's windows. Built once per spec, not per record (an engine serves one spec at a time, a shadow at most
     * a second one).
     */
    private static final class Plan {
        final FeatureSpec spec;
        final FeatureDef[] defs;
        final Group[] groups;
        final long[][] windowDays;
        final int[] groupOf;
        final int[] windowOf;
        /** Per group: whether a feature compares with earlier transactions (the scan then keeps their amounts). */
        final boolean[] needsEarlier;
        /** Per group: whether a feature reads when its frauds began and ended (the handbook's 15 do not). */
        final boolean[] needsEpisode;

        Plan(FeatureSpec spec) {
            this.spec = spec;
            defs = spec.features().toArray(FeatureDef[]::new);
            final Map<Group, List<Long>> planned = new LinkedHashMap<>();
            for (FeatureDef f : defs) {
                if (f.kind().windowed()) {
                    planned.computeIfAbsent(new Group(f.entity(), f.delayDays()), g -> new ArrayList<>())
                            .add((long) f.windowDays());
                }
            }
            groups = planned.keySet().toArray(Group[]::new);
            windowDays = planned.values().stream()
                    .map(days -> days.stream().mapToLong(Long::longValue).distinct().sorted().toArray())
                    .toArray(long[][]::new);
            groupOf = new int[defs.length];
            windowOf = new int[defs.length];
            needsEarlier = new boolean[groups.length];
            needsEpisode = new boolean[groups.length];
            final List<Group> order = List.of(groups);
            for (int i = 0; i < defs.length; i++) {
                if (defs[i].kind().windowed()) {
                    groupOf[i] = order.indexOf(new Group(defs[i].entity(), defs[i].delayDays()));
                    windowOf[i] = java.util.Arrays.binarySearch(windowDays[groupOf[i]], defs[i].windowDays());
                    needsEarlier[groupOf[i]] |= defs[i].kind().comparesWithEarlier();
                    needsEpisode[groupOf[i]] |= defs[i].kind().readsFraudEpisode();
                }
            }
        }
    }

    private Plan planFor(FeatureSpec spec) {
        Plan p = plan;
        if (p == null || p.spec != spec) {
            p = shadowPlan != null && shadowPlan.spec == spec ? shadowPlan : new Plan(spec);
            shadowPlan = plan;
            plan = p;
        }
        return p;
    }

    /**
     * Per-window sums of one group for one transaction. The "earlier" figures leave the transaction itself out; the
     * earlier amounts are kept in scan (time) order only when a feature needs them, so window w's are a suffix.
     */
    private static final class Sums {
        final long[] count;
        final double[] amountSum;
        final long[] frauds;
        final long[] earlierCount;
        final double[] earlierSum;
        final long[] earlierLastMs;
        final long[] lastFraudMs;
        final long[] firstFraudMs;
        /** Transactions from the first fraud on (itself included). */
        final long[] sinceFirstFraudCount;
        double[] earlierAmounts;
        int earlierSize;

        /** Only what the group's features read is allocated: the handbook's 15 need the first three. */
        Sums(int windows, boolean earlier, boolean episode) {
            count = new long[windows];
            amountSum = new double[windows];
            frauds = new long[windows];
            earlierCount = earlier ? new long[windows] : null;
            earlierSum = earlier ? new double[windows] : null;
            earlierLastMs = earlier ? filled(windows, Long.MIN_VALUE) : null;
            earlierAmounts = earlier ? new double[16] : null;
            lastFraudMs = episode ? filled(windows, Long.MIN_VALUE) : null;
            firstFraudMs = episode ? filled(windows, Long.MAX_VALUE) : null;
            sinceFirstFraudCount = episode ? new long[windows] : null;
        }

        private static long[] filled(int n, long value) {
            final long[] a = new long[n];
            java.util.Arrays.fill(a, value);
            return a;
        }

        void keep(double amount) {
            if (earlierSize == earlierAmounts.length) {
                earlierAmounts = java.util.Arrays.copyOf(earlierAmounts, earlierSize * 2);
            }
            earlierAmounts[earlierSize++] = amount;
        }
    }

    private static double amountToMean(double amount, Sums s, int w) {
        if (s.earlierCount[w] == 0 || s.earlierSum[w] == 0) {
            return -1;
        }
        return amount / (s.earlierSum[w] / s.earlierCount[w]);
    }

    /** MAD scaled by 1.4826 estimates a normal distribution's standard deviation. */
    private static double robustZ(double amount, Sums s, int w) {
        final int n = (int) s.earlierCount[w];
        if (n < 2) {
            return 0;
        }
        final double[] window = java.util.Arrays.copyOfRange(s.earlierAmounts, s.earlierSize - n, s.earlierSize);
        java.util.Arrays.sort(window);
        final double median = median(window);
        for (int i = 0; i < n; i++) {
            window[i] = Math.abs(window[i] - median);
        }
        java.util.Arrays.sort(window);
        final double spread = 1.4826 * median(window);
        return spread == 0 ? 0 : (amount - median) / spread;
    }

    private static double median(double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * One scan over the group's longest window, in key order. A transaction counts when its entry is in range; its
     * label entry, when present, follows it directly.
     */
    private Sums aggregate(Group group, long[] windowDays, boolean needsEarlier, boolean needsEpisode, TxInput tx) {
        final String entity = group.entity().keyOf(tx);
        final EventStore store = group.entity() == Entity.CUSTOMER_ID ? customers : terminals;
        final long end = tx.eventTimeMs() - group.delayDays() * EntityHistory.DAY_MS;
        final long start = end - windowDays[windowDays.length - 1] * EntityHistory.DAY_MS;
        final byte[] to = group.delayDays() == 0
                ? EventKeys.afterTransaction(entity, tx.eventTimeMs(), tx.transactionId())
                : EventKeys.atTime(entity, end + 1);
        final Sums sums = new Sums(windowDays.length, needsEarlier, needsEpisode);
        // With delay 0 the transaction itself is in its window; the "earlier" figures must leave it out.
        final byte[] self = needsEarlier && group.delayDays() == 0
                ? EventKeys.event(entity, tx.eventTimeMs(), tx.transactionId(), EventKeys.TRANSACTION) : null;
        final long[] lowerBounds = new long[windowDays.length];
        for (int w = 0; w < windowDays.length; w++) {
            lowerBounds[w] = end - windowDays[w] * EntityHistory.DAY_MS;
        }
        final byte[][] last = new byte[1][];
        store.scanEvents(EventKeys.atTime(entity, start + 1), to, (key, t, kind, number) -> {
            if (kind == EventKeys.TRANSACTION) {
                for (int w = 0; w < lowerBounds.length; w++) {
                    if (t > lowerBounds[w]) {
                        sums.count[w]++;
                        sums.amountSum[w] += number;
                        if (needsEpisode && sums.firstFraudMs[w] != Long.MAX_VALUE) {
                            sums.sinceFirstFraudCount[w]++;
                        }
                    }
                }
                if (needsEarlier && (self == null || t != tx.eventTimeMs() || !java.util.Arrays.equals(key, self))) {
                    for (int w = 0; w < lowerBounds.length; w++) {
                        if (t > lowerBounds[w]) {
                            sums.earlierCount[w]++;
                            sums.earlierSum[w] += number;
                            sums.earlierLastMs[w] = Math.max(sums.earlierLastMs[w], t);
                        }
                    }
                    sums.keep(number);
                }
                last[0] = key;
            } else if (kind == EventKeys.LABEL && number == 1 && EventKeys.sameTransaction(last[0], key)) {
                for (int w = 0; w < lowerBounds.length; w++) {
                    if (t > lowerBounds[w]) {
                        sums.frauds[w]++;
                        if (!needsEpisode) {
                            continue;
                        }
                        sums.lastFraudMs[w] = Math.max(sums.lastFraudMs[w], t);
                        if (sums.firstFraudMs[w] == Long.MAX_VALUE) {
                            // The label follows its transaction's entry, which was not counted yet: count it now.
                            sums.firstFraudMs[w] = t;
                            sums.sinceFirstFraudCount[w] = 1;
                        }
                    }
                }
            }
        });
        return sums;
    }

    // The calendar in UTC by arithmetic: a ZonedDateTime per transaction (with its zone rules lookup) was a visible
    // share of the scorer's allocations in JFR. FeatureEngineTest pins both against java.time.
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;

    static int utcHour(long epochMs) {
        return (int) (Math.floorMod(epochMs, DAY_MS) / HOUR_MS);
    }

    static DayOfWeek utcDayOfWeek(long epochMs) {
        return DayOfWeek.THURSDAY.plus(Math.floorDiv(epochMs, DAY_MS)); // 1970-01-01 was a Thursday
    }

    private static boolean isWeekend(DayOfWeek day) {
        return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY;
    }
}
