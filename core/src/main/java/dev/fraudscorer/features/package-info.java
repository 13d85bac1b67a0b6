/** Feature extraction shared by trainer and scorer: one engine, two drivers. */
package dev.fraudscorer.features;
