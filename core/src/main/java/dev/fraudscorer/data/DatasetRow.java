package dev.fraudscorer.data;

import dev.fraudscorer.features.TxInput;

/** One row of the handbook's transaction CSV: the transaction plus its (later known) label. */
public record DatasetRow(String transactionId, long eventTimeMs, String customerId, String terminalId, double amount,
                         boolean fraud, int fraudScenario) {

    public TxInput toInput() {
        return new TxInput(transactionId, eventTimeMs, customerId, terminalId, amount);
    }
}
