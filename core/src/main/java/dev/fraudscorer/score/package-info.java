/** Model evaluation in the JVM: XGBoost trees walked without native calls. */
package dev.fraudscorer.score;
