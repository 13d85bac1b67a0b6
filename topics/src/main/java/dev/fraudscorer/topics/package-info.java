/** The topic catalogue, the step that creates missing topics and reports drift, and schema registration. */
package dev.fraudscorer.topics;
