package dev.fraudscorer.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The ordered model inputs a bundle declares. Windows, delays and entities live here, not in code, so a new model
 * can declare other windows; the scorer checks with {@link FeatureEngine#check} that it can compute them.
 *
 * @param features model inputs, in order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FeatureSpec(List<FeatureDef> features) {

    /** The handbook's label delay: terminal risk only uses transactions at least this old. */
    public static final int HANDBOOK_DELAY_DAYS = 7;
    private static final int[] HANDBOOK_WINDOWS = {1, 7, 30};

    public FeatureSpec {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("a feature spec needs at least one feature");
        }
        features = List.copyOf(features);
        final HashSet<String> seen = new HashSet<>();
        for (FeatureDef f : features) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException("feature " + f.name() + " is declared twice");
            }
        }
    }

    /** The 15 inputs of the handbook's baseline, in its order. */
    public static FeatureSpec handbook() {
        final List<FeatureDef> defs = new ArrayList<>();
        defs.add(FeatureDef.stateless("TX_AMOUNT", FeatureKind.AMOUNT));
        defs.add(FeatureDef.stateless("TX_DURING_WEEKEND", FeatureKind.WEEKEND));
        defs.add(FeatureDef.stateless("TX_DURING_NIGHT", FeatureKind.NIGHT));
        for (int w : HANDBOOK_WINDOWS) {
            defs.add(FeatureDef.windowed("CUSTOMER_ID_NB_TX_" + w + "DAY_WINDOW", FeatureKind.COUNT,
                    Entity.CUSTOMER_ID, w, 0));
            defs.add(FeatureDef.windowed("CUSTOMER_ID_AVG_AMOUNT_" + w + "DAY_WINDOW", FeatureKind.MEAN_AMOUNT,
                    Entity.CUSTOMER_ID, w, 0));
        }
        for (int w : HANDBOOK_WINDOWS) {
            defs.add(FeatureDef.windowed("TERMINAL_ID_NB_TX_" + w + "DAY_WINDOW", FeatureKind.COUNT,
                    Entity.TERMINAL_ID, w, HANDBOOK_DELAY_DAYS));
            defs.add(FeatureDef.windowed("TERMINAL_ID_RISK_" + w + "DAY_WINDOW", FeatureKind.FRAUD_RATE,
                    Entity.TERMINAL_ID, w, HANDBOOK_DELAY_DAYS));
        }
        return new FeatureSpec(defs);
    }

    @JsonIgnore
    public List<String> names() {
        return features.stream().map(FeatureDef::name).toList();
    }

    public int size() {
        return features.size();
    }

    /** Days of history of {@code entity} the spec reads: the largest window plus its delay (0 if none). */
    public int historyDays(Entity entity) {
        return features.stream().filter(f -> f.kind().windowed() && f.entity() == entity)
                .mapToInt(f -> f.windowDays() + f.delayDays()).max().orElse(0);
    }
}
