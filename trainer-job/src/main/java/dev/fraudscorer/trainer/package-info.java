/** The trainer: dataset to features (shared engine) to XGBoost to model bundle. */
package dev.fraudscorer.trainer;
