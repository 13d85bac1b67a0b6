/** Evaluation metrics shared by the trainer and the demo summary. */
package dev.fraudscorer.eval;
