/** Kafka Streams state behind the shared feature engine: customer history local, terminal history global. */
package dev.fraudscorer.scorer.features;
