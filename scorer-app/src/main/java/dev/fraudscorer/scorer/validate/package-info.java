/** Step 1 of the data path: Avro decoding, semantic validation and the dead-letter route. */
package dev.fraudscorer.scorer.validate;
