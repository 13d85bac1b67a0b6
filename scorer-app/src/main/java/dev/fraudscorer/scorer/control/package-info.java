/** The control plane in the scorer: global stores for model-registry and model-control, verified model cache. */
package dev.fraudscorer.scorer.control;
