/** The scoring step: features from the shared engine, the active model's tree ensemble. */
package dev.fraudscorer.scorer.score;
