/** Last step of the data path: score to decision, verdict record. */
package dev.fraudscorer.scorer.verdict;
