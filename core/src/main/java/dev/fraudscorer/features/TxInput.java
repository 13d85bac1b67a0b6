package dev.fraudscorer.features;

/**
 * The fields of a transaction the feature engine reads. Trainer (from the CSV) and scorer (from Avro) both build
 * this, so neither can feed the engine something the other does not.
 */
public record TxInput(String transactionId, long eventTimeMs, String customerId, String terminalId, double amount) {
}
