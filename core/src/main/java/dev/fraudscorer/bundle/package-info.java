/** The model bundle format (manifest + XGBoost model + checksums) and its on-disk and wire forms. */
package dev.fraudscorer.bundle;
