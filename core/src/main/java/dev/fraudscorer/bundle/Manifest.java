package dev.fraudscorer.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * What a model bundle says about its model: inputs, decision thresholds, how and on what it was trained, how well
 * it did, and reference rows a loader re-scores to prove it reads the model as the trainer did.
 *
 * @param formatVersion   bundle format version, {@link ModelBundle#FORMAT_VERSION}
 * @param modelName       logical model name; versions are numbered per name by the registry
 * @param features        model input names, in order
 * @param modelFile       file name of the XGBoost model inside the bundle
 * @param modelSha256     sha256 (hex) of the model file
 * @param objective       XGBoost objective; the scorer supports binary:logistic
 * @param params          every XGBoost parameter used, seed included
 * @param rounds          boosting rounds
 * @param training        windows and data lineage
 * @param metrics         evaluation on the test window
 * @param thresholds      score to decision mapping
 * @param referenceRows   inputs with the trainer's (xgboost4j) scores
 * @param versions        library and JDK versions that produced the bundle
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int formatVersion, String modelName, List<String> features, String modelFile,
                       String modelSha256, String objective, Map<String, Object> params, int rounds,
                       Training training, Metrics metrics, Thresholds thresholds,
                       List<ReferenceRow> referenceRows, Map<String, String> versions) {

    /**
     * @param dataFile       file name of the training data
     * @param dataSha256     sha256 (hex) of the data file as read
     * @param trainFrom      first day of the training window (inclusive, UTC)
     * @param trainTo        end of the training window (exclusive)
     * @param testFrom       first day of the test window; {@code testFrom - trainTo} is the gap
     * @param testTo         end of the test window (exclusive)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Training(String dataFile, String dataSha256, String trainFrom, String trainTo, String testFrom,
                           String testTo) {
    }

    /** Test-window evaluation. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metrics(double rocAuc, double averagePrecision, long trainRows, long trainFrauds, long testRows,
                          long testFrauds) {
    }

    /**
     * Scores at or above {@code decline} are declined, at or above {@code review} reviewed, the rest approved.
     *
     * @param rule how the trainer chose them, for humans
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Thresholds(double review, double decline, String rule) {
        public Thresholds {
            if (!(0 <= review && review <= decline && decline <= 1)) {
                throw new IllegalArgumentException("thresholds must satisfy 0 <= review <= decline <= 1, got review="
                        + review + " decline=" + decline);
            }
        }
    }

    /** An input row and the score xgboost4j gave it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReferenceRow(double[] features, double score) {
    }
}
