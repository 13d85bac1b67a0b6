package dev.fraudscorer.features;

import dev.fraudscorer.data.DatasetRow;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntConsumer;

/**
 * The trainer's driver of the {@link FeatureEngine}: replays rows in event-time order, as the scorer sees a stream,
 * with each fraud label arriving {@code labelDelayDays} after its transaction.
 */
public final class OfflineFeatures {

    /** Event time, then transaction order as {@link EventKeys} defines it (numeric ids as numbers). */
    public static final Comparator<DatasetRow> ENGINE_ORDER = Comparator.comparingLong(DatasetRow::eventTimeMs)
            .thenComparing((a, b) -> java.util.Arrays.compareUnsigned(
                    EventKeys.event("", 0, a.transactionId(), EventKeys.TRANSACTION),
                    EventKeys.event("", 0, b.transactionId(), EventKeys.TRANSACTION)));

    private OfflineFeatures() {
    }

    /**
     * @param rows     every row whose history matters, sorted by {@link #ENGINE_ORDER}
     * @param progress called with the number of rows done, every 100,000 rows
     * @return one feature vector per row, in row order
     */
    public static double[][] compute(List<DatasetRow> rows, FeatureSpec spec, int labelDelayDays, IntConsumer progress) {
        final long labelDelayMs = labelDelayDays * EntityHistory.DAY_MS;
        return compute(rows, spec, i -> rows.get(i).eventTimeMs() + labelDelayMs, progress);
    }

    /**
     * As above, with each fraud row's label known from its own time: {@code labelKnownAtMs.applyAsLong(i)} (for
     * history that came through Kafka, when its label was sent). A label counts once the replay reaches that time.
     */
    public static double[][] compute(List<DatasetRow> rows, FeatureSpec spec, java.util.function.IntToLongFunction labelKnownAtMs,
                                     IntConsumer progress) {
        final InMemoryEventStore customers = new InMemoryEventStore();
        final InMemoryEventStore terminals = new InMemoryEventStore();
        final FeatureEngine engine = new FeatureEngine(customers, terminals);
        FeatureEngine.check(spec, new FeatureEngine.Capabilities(Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        final int customerDays = spec.historyDays(Entity.CUSTOMER_ID);
        final int terminalDays = spec.historyDays(Entity.TERMINAL_ID);
        // Fraud rows by when their label is known, then row order.
        final PriorityQueue<long[]> pendingLabels = new PriorityQueue<>(
                Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
        final double[][] out = new double[rows.size()][];
        DatasetRow previous = null;
        for (int i = 0; i < rows.size(); i++) {
            final DatasetRow row = rows.get(i);
            if (previous != null && ENGINE_ORDER.compare(previous, row) > 0) {
                throw new IllegalArgumentException("rows must be in event-time order; row " + row.transactionId()
                        + " comes after " + previous.transactionId());
            }
            previous = row;
            while (!pendingLabels.isEmpty() && pendingLabels.peek()[0] <= row.eventTimeMs()) {
                final DatasetRow labelled = rows.get((int) pendingLabels.poll()[1]);
                EntityHistory.putAndEvict(terminals, EntityHistory.label(labelled.terminalId(),
                        labelled.eventTimeMs(), labelled.transactionId(), true), terminalDays);
            }
            final TxInput tx = row.toInput();
            engine.recordCustomer(tx, customerDays);
            out[i] = engine.compute(spec, tx);
            EntityHistory.putAndEvict(terminals, EntityHistory.transaction(tx.terminalId(), tx), terminalDays);
            if (row.fraud()) {
                // Genuine labels change no feature (only frauds are counted), so only frauds are queued.
                pendingLabels.add(new long[] {labelKnownAtMs.applyAsLong(i), i});
            }
            if ((i + 1) % 100_000 == 0) {
                progress.accept(i + 1);
            }
        }
        return out;
    }
}
