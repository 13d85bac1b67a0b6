package dev.fraudscorer.infra;

import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serializer;

/** What the demo and the crash verifier send for a dataset row: its transaction, its fraud label, or bad input. */
public final class ReplayRecords {

    private ReplayRecords() {
    }

    public static Transaction transaction(DatasetRow row) {
        return Transaction.newBuilder().setTransactionId(row.transactionId())
                .setEventTime(Instant.ofEpochMilli(row.eventTimeMs())).setCustomerId(row.customerId())
                .setTerminalId(row.terminalId()).setAmount(row.amount()).setCurrency("EUR").setChannel("POS").build();
    }

    /** The row's fraud label, known {@code delayMs} after the transaction. */
    public static FraudLabel label(DatasetRow row, long delayMs) {
        return FraudLabel.newBuilder().setTransactionId(row.transactionId()).setCustomerId(row.customerId())
                .setTerminalId(row.terminalId()).setTransactionTime(Instant.ofEpochMilli(row.eventTimeMs()))
                .setFraud(true).setFraudScenario(row.fraudScenario())
                .setLabelledAt(Instant.ofEpochMilli(row.eventTimeMs() + delayMs)).build();
    }

    /** Kinds of bad input a payment service might send by mistake: not Avro, invalid amounts, truncated. */
    public static byte[] bad(Serializer<Transaction> serializer, DatasetRow row, int n) {
        return switch (n % 4) {
            case 0 -> "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8);
            case 1 -> serializer.serialize(Topics.TRANSACTIONS.name(), badTx(row, -row.amount()));
            case 2 -> serializer.serialize(Topics.TRANSACTIONS.name(), badTx(row, Double.NaN));
            default -> {
                final byte[] good = serializer.serialize(Topics.TRANSACTIONS.name(), badTx(row, row.amount()));
                yield java.util.Arrays.copyOf(good, good.length / 2);
            }
        };
    }

    private static Transaction badTx(DatasetRow row, double amount) {
        return Transaction.newBuilder().setTransactionId("bad-" + row.transactionId())
                .setEventTime(Instant.ofEpochMilli(row.eventTimeMs())).setCustomerId(row.customerId())
                .setTerminalId(row.terminalId()).setAmount(amount).build();
    }

    /**
     * Fraud labels of replayed rows, each released once the replay's event time reaches its transaction's time plus
     * the delay, as a fraud team's labels arrive late. Genuine rows get no label: only frauds change a feature.
     */
    public static final class PendingLabels {
        private final java.util.ArrayDeque<DatasetRow> frauds = new java.util.ArrayDeque<>();
        private final long delayMs;

        public PendingLabels(long delayMs) {
            this.delayMs = delayMs;
        }

        /** Hands every label due before {@code next} to {@code send}, then holds {@code next}'s if it is a fraud. */
        public int advance(DatasetRow next, java.util.function.Consumer<FraudLabel> send) {
            int released = 0;
            while (!frauds.isEmpty() && frauds.peek().eventTimeMs() + delayMs <= next.eventTimeMs()) {
                send.accept(label(frauds.poll(), delayMs));
                released++;
            }
            if (next.fraud()) {
                frauds.add(next);
            }
            return released;
        }
    }
}
