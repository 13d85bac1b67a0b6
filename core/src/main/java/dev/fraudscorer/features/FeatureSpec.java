package dev.fraudscorer.features;

import java.util.List;

/**
 * The ordered model inputs a bundle declares. The scorer refuses a bundle whose spec names a feature the engine
 * cannot compute.
 *
 * @param names feature names in model input order
 */
public record FeatureSpec(List<String> names) {

    public FeatureSpec {
        names = List.copyOf(names);
        for (String name : names) {
            if (!FeatureExtractor.SUPPORTED.contains(name)) {
                throw new IllegalArgumentException("unknown feature '" + name + "'; this engine computes "
                        + FeatureExtractor.SUPPORTED);
            }
        }
    }

    /** What the trainer writes into new bundles. */
    public static FeatureSpec defaultSpec() {
        return new FeatureSpec(FeatureExtractor.SUPPORTED);
    }

    public int size() {
        return names.size();
    }
}
