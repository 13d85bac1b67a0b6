package dev.fraudscorer.scorer.control;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.features.FeatureEngine;
import dev.fraudscorer.features.FeatureSpec;
import dev.fraudscorer.score.TreeEnsemble;
import java.util.List;

/**
 * A verified, parsed model version ready to score. Immutable; shared by all stream threads.
 *
 * @param screen       the manifest's input screening, or null for a bundle that ships none (then nothing is flagged)
 * @param thresholdsId the decision policy's id for verdicts, computed once
 * @param featureNames the spec's feature names in input order, computed once (every verdict names them)
 */
public record LoadedModel(String name, int version, Manifest manifest, TreeEnsemble ensemble, FeatureSpec spec,
                          dev.fraudscorer.outlier.InputScreen screen, String thresholdsId, List<String> featureNames) {

    /** Largest |JVM score - trainer score| accepted on the bundle's reference rows. */
    static final double REFERENCE_TOLERANCE = 1e-6;

    /**
     * Parses and checks a bundle: feature spec computable here, trees evaluable, reference rows re-scored as the
     * trainer scored them (catches a model read differently from how it was written).
     *
     * @throws IllegalArgumentException with the reason if the bundle must not serve
     */
    public static LoadedModel load(String name, int version, ModelBundle bundle, FeatureEngine.Capabilities caps) {
        final Manifest manifest = bundle.manifest();
        final FeatureSpec spec = manifest.featureSpec();
        if (spec == null) {
            throw new IllegalArgumentException("the manifest declares no featureSpec");
        }
        FeatureEngine.check(spec, caps);
        final TreeEnsemble ensemble = TreeEnsemble.fromJson(bundle.model());
        if (ensemble.numFeatures() != spec.size()) {
            throw new IllegalArgumentException("model has " + ensemble.numFeatures() + " inputs but the manifest names "
                    + spec.size() + " features");
        }
        for (Manifest.ReferenceRow row : manifest.referenceRows()) {
            final double score = ensemble.predict(row.features());
            if (Math.abs(score - row.score()) > REFERENCE_TOLERANCE) {
                throw new IllegalArgumentException("reference row scored " + score + " here but " + row.score()
                        + " by the trainer");
            }
        }
        final var screening = manifest.screening();
        if (screening != null && !screening.features().stream().map(Manifest.FeatureStats::name).toList()
                .equals(spec.names())) {
            throw new IllegalArgumentException("the screening statistics do not name the model's inputs in order");
        }
        return new LoadedModel(name, version, manifest, ensemble, spec,
                screening == null ? null : new dev.fraudscorer.outlier.InputScreen(screening), manifest.thresholds().id(),
                spec.names());
    }
}
