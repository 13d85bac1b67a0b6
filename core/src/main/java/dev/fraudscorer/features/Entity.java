package dev.fraudscorer.features;

/** The keys a windowed feature can aggregate over. */
public enum Entity {
    CUSTOMER_ID,
    TERMINAL_ID;

    String keyOf(TxInput tx) {
        return this == CUSTOMER_ID ? tx.customerId() : tx.terminalId();
    }
}
