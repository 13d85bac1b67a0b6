package dev.fraudscorer.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;
import dev.fraudscorer.features.FeatureSpec;

/**
 * What a model bundle says about its model: inputs, decision thresholds, how and on what it was trained, how well
 * it did, and reference rows a loader re-scores to prove it reads the model as the trainer did.
 *
 * @param formatVersion   bundle format version, {@link ModelBundle#FORMAT_VERSION}
 * @param modelName       logical model name; versions are numbered per name by the registry
 * @param featureSpec     model inputs, declared (kinds, entities, windows, delays), in model input order
 * @param modelFile       file name of the XGBoost model inside the bundle
 * @param modelSha256     sha256 (hex) of the model file
 * @param objective       XGBoost objective; the scorer supports binary:logistic
 * @param params          every XGBoost parameter used, seed included
 * @param rounds          boosting rounds
 * @param training        windows and data lineage
 * @param metrics         this model's evaluation on its own test window (handbook protocol)
 * @param protocol        prequential evaluation of the chosen hyper-parameters and the grid that chose them
 * @param thresholds      score to decision mapping
 * @param referenceRows   inputs with the trainer's (xgboost4j) scores
 * @param versions        library and JDK versions that produced the bundle
 * @param screening       reference statistics of the inputs and the outlier / review rules; null in older bundles
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int formatVersion, String modelName, FeatureSpec featureSpec, String modelFile,
                       String modelSha256, String objective, Map<String, Object> params, int rounds,
                       Training training, Metrics metrics, Protocol protocol, Thresholds thresholds,
                       List<ReferenceRow> referenceRows, Map<String, String> versions, Screening screening) {

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

    /**
     * Test-window evaluation as the handbook does it: cards known to be compromised removed from each test day.
     *
     * @param cardPrecisionAt100 mean over test days of the share of fraudulent cards among the 100 highest-scored
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metrics(double rocAuc, double averagePrecision, double cardPrecisionAt100, long trainRows,
                          long trainFrauds, long testRows, long testFrauds) {
    }

    /**
     * @param description the protocol in words
     * @param selected    hyper-parameters the grid chose on the validation folds
     * @param grid        every grid point with its mean validation metrics
     * @param testFolds   the selected parameters on each test fold
     * @param mean        mean over test folds
     * @param std         standard deviation over test folds
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Protocol(String description, HyperParams selected, List<GridPoint> grid, List<Fold> testFolds,
                           Metrics mean, Metrics std) {
    }

    /** The grid's axes, named as in XGBoost's scikit-learn API. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HyperParams(int maxDepth, int nEstimators, double learningRate) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GridPoint(HyperParams params, Metrics validationMean) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Fold(String trainFrom, String testFrom, Metrics metrics) {
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

        /** What a score decides, the one rule for scorer and evaluation alike. */
        public enum Band { APPROVE, REVIEW, DECLINE }

        public Band band(double score) {
            if (score >= decline) {
                return Band.DECLINE;
            }
            return score >= review ? Band.REVIEW : Band.APPROVE;
        }

        /** A short stable id of this decision policy (values and rule), for verdicts and dashboards. */
        public String id() {
            final String text = Double.toString(review) + "|" + Double.toString(decline) + "|" + rule;
            return ModelBundle.sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
        }
    }

    /** An input row and the score xgboost4j gave it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReferenceRow(double[] features, double score) {
    }

    /**
     * Input screening, fitted by the trainer on the training window: per-feature robust and classical statistics,
     * the anomaly-score threshold above which an input is an outlier, and the score band just below the REVIEW
     * threshold where a verdict is marked review_required. The scorer applies these; no number lives in its code.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Screening(List<FeatureStats> features, double outlierThreshold, double uncertainFrom,
                            double uncertainTo, String rule) {
    }

    /**
     * One input's reference statistics on the training window. {@code binEdges} (upper edges, ascending; the last bin
     * is open) and {@code binShares} (share of training rows per bin, one more than the edges) are the reference
     * distribution drift is measured against; both are absent in bundles made before drift existed.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FeatureStats(String name, double median, double iqr, double mean, double std, double[] binEdges,
                               double[] binShares) {
        public FeatureStats(String name, double median, double iqr, double mean, double std) {
            this(name, median, iqr, mean, std, null, null);
        }

        /** Index of the bin {@code x} falls in: the first edge it does not exceed, else the open last bin. */
        public int bin(double x) {
            int i = 0;
            while (i < binEdges.length && x > binEdges[i]) {
                i++;
            }
            return i;
        }

        public boolean hasBins() {
            return binEdges != null && binShares != null && binShares.length == binEdges.length + 1;
        }
    }
}
