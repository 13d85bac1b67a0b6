/** Metrics (Micrometer, Prometheus text) and the health/readiness endpoints. */
package dev.fraudscorer.scorer.metrics;
