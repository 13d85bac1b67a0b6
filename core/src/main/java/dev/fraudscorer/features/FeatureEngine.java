package dev.fraudscorer.features;

import java.nio.ByteBuffer;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
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
            if (f.entity() == Entity.CUSTOMER_ID && f.kind() == FeatureKind.FRAUD_RATE) {
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

    /** The spec's features for {@code tx}, in spec order, from the state as it is now. */
    public double[] compute(FeatureSpec spec, TxInput tx) {
        final double[] out = new double[spec.size()];
        final ZonedDateTime time = Instant.ofEpochMilli(tx.eventTimeMs()).atZone(ZoneOffset.UTC);
        final Map<Group, Window[]> groups = new LinkedHashMap<>();
        final List<FeatureDef> defs = spec.features();
        for (int i = 0; i < out.length; i++) {
            final FeatureDef f = defs.get(i);
            switch (f.kind()) {
                case AMOUNT -> out[i] = tx.amount();
                case WEEKEND -> out[i] = isWeekend(time.getDayOfWeek()) ? 1 : 0;
                case NIGHT -> out[i] = time.getHour() <= LAST_NIGHT_HOUR ? 1 : 0;
                default -> groups.computeIfAbsent(new Group(f.entity(), f.delayDays()), g -> windowsOf(spec, g));
            }
        }
        groups.forEach((group, windows) -> aggregate(group, windows, tx));
        for (int i = 0; i < out.length; i++) {
            final FeatureDef f = defs.get(i);
            if (!f.kind().windowed()) {
                continue;
            }
            final Window w = find(groups.get(new Group(f.entity(), f.delayDays())), f.windowDays());
            out[i] = switch (f.kind()) {
                case COUNT -> w.count;
                case MEAN_AMOUNT -> w.count == 0 ? 0 : w.amountSum / w.count;
                case FRAUD_RATE -> w.count == 0 ? 0 : (double) w.frauds / w.count;
                default -> throw new IllegalStateException("unreachable");
            };
        }
        return out;
    }

    private record Group(Entity entity, int delayDays) {
    }

    private static final class Window {
        final long days;
        long count;
        double amountSum;
        long frauds;

        Window(long days) {
            this.days = days;
        }
    }

    private static Window[] windowsOf(FeatureSpec spec, Group g) {
        return spec.features().stream()
                .filter(f -> f.kind().windowed() && f.entity() == g.entity() && f.delayDays() == g.delayDays())
                .mapToLong(FeatureDef::windowDays).distinct().sorted().mapToObj(Window::new).toArray(Window[]::new);
    }

    private static Window find(Window[] windows, long days) {
        for (Window w : windows) {
            if (w.days == days) {
                return w;
            }
        }
        throw new IllegalStateException("unreachable: window " + days + " was planned");
    }

    /**
     * One scan over the group's longest window, in key order. A transaction counts when its entry is in range; its
     * label entry, when present, follows it directly.
     */
    private void aggregate(Group group, Window[] windows, TxInput tx) {
        final String entity = group.entity().keyOf(tx);
        final EventStore store = group.entity() == Entity.CUSTOMER_ID ? customers : terminals;
        final long end = tx.eventTimeMs() - group.delayDays() * EntityHistory.DAY_MS;
        final long start = end - windows[windows.length - 1].days * EntityHistory.DAY_MS;
        final byte[] to = group.delayDays() == 0
                ? EventKeys.afterTransaction(entity, tx.eventTimeMs(), tx.transactionId())
                : EventKeys.atTime(entity, end + 1);
        final List<Long> times = new ArrayList<>();
        final List<Double> amounts = new ArrayList<>();
        final List<Boolean> frauds = new ArrayList<>();
        final byte[][] last = new byte[1][];
        store.scan(EventKeys.atTime(entity, start + 1), to, (key, value) -> {
            if (EventKeys.kindOf(key) == EventKeys.TRANSACTION) {
                times.add(EventKeys.timeOf(key));
                amounts.add(ByteBuffer.wrap(value).getDouble());
                frauds.add(false);
                last[0] = key;
            } else if (EventKeys.kindOf(key) == EventKeys.LABEL && EventKeys.sameTransaction(last[0], key)
                    && value.length == 1 && value[0] == 1) {
                frauds.set(frauds.size() - 1, true);
            }
        });
        for (int i = 0; i < times.size(); i++) {
            for (Window w : windows) {
                if (times.get(i) > end - w.days * EntityHistory.DAY_MS) {
                    w.count++;
                    w.amountSum += amounts.get(i);
                    w.frauds += frauds.get(i) ? 1 : 0;
                }
            }
        }
    }

    private static boolean isWeekend(DayOfWeek day) {
        return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY;
    }
}
