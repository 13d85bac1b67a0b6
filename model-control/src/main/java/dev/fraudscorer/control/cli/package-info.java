/** The model-control CLI: publish, promote, rollback, list, status. */
package dev.fraudscorer.control.cli;
