package dev.fraudscorer.scorer;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.outlier.InputScreen;

/** Bundles derived from the golden one for tests. */
final class TestBundles {

    private TestBundles() {
    }

    /**
     * The golden bundle with input screening (and drift reference bins) fitted on its reference rows;
     * {@code outlierThreshold}, when not null, replaces the fitted threshold (0 flags every input: a broken version).
     */
    static ModelBundle screened(Double outlierThreshold) throws java.io.IOException {
        final ModelBundle golden = ModelBundle.readFrom(ScorerTopologyTest.GOLDEN);
        final Manifest m = golden.manifest();
        final double[][] reference = m.referenceRows().stream().map(Manifest.ReferenceRow::features).toArray(double[][]::new);
        Manifest.Screening screening = InputScreen.fit(reference, m.featureSpec().names(), m.thresholds().review(), 0.75);
        if (outlierThreshold != null) {
            screening = new Manifest.Screening(screening.features(), outlierThreshold, screening.uncertainFrom(),
                    screening.uncertainTo(), screening.rule() + " (threshold overridden: " + outlierThreshold + ")");
        }
        return new ModelBundle(new Manifest(m.formatVersion(), m.modelName(), m.featureSpec(), m.modelFile(),
                m.modelSha256(), m.objective(), m.params(), m.rounds(), m.training(), m.metrics(), m.protocol(),
                m.thresholds(), m.referenceRows(), m.versions(), screening), golden.model());
    }
}
