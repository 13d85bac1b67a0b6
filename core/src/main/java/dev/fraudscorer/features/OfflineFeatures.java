package dev.fraudscorer.features;

import dev.fraudscorer.data.DatasetRow;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
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
        final InMemoryEventStore customers = new InMemoryEventStore();
        final InMemoryEventStore terminals = new InMemoryEventStore();
        final FeatureEngine engine = new FeatureEngine(customers, terminals);
        FeatureEngine.check(spec, new FeatureEngine.Capabilities(Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        final int customerDays = spec.historyDays(Entity.CUSTOMER_ID);
        final int terminalDays = spec.historyDays(Entity.TERMINAL_ID);
        final long labelDelayMs = labelDelayDays * EntityHistory.DAY_MS;
        final ArrayDeque<DatasetRow> pendingLabels = new ArrayDeque<>();
        final double[][] out = new double[rows.size()][];
        DatasetRow previous = null;
        for (int i = 0; i < rows.size(); i++) {
            final DatasetRow row = rows.get(i);
            if (previous != null && ENGINE_ORDER.compare(previous, row) > 0) {
                throw new IllegalArgumentException("rows must be in event-time order; row " + row.transactionId()
                        + " comes after " + previous.transactionId());
            }
            previous = row;
            while (!pendingLabels.isEmpty() && pendingLabels.peek().eventTimeMs() + labelDelayMs <= row.eventTimeMs()) {
                final DatasetRow labelled = pendingLabels.poll();
                EntityHistory.putAndEvict(terminals, EntityHistory.label(labelled.terminalId(),
                        labelled.eventTimeMs(), labelled.transactionId(), true), terminalDays);
            }
            final TxInput tx = row.toInput();
            engine.recordCustomer(tx, customerDays);
            out[i] = engine.compute(spec, tx);
            EntityHistory.putAndEvict(terminals, EntityHistory.transaction(tx.terminalId(), tx), terminalDays);
            if (row.fraud()) {
                // Genuine labels change no feature (only frauds are counted), so only frauds are queued.
                pendingLabels.add(row);
            }
            if ((i + 1) % 100_000 == 0) {
                progress.accept(i + 1);
            }
        }
        return out;
    }
}
