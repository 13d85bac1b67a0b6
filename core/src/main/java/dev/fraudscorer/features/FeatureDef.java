package dev.fraudscorer.features;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One model input, declared. A windowed feature of transaction {@code t} at time {@code ts} aggregates the
 * {@code entity}'s transactions with time in {@code (ts - delayDays - windowDays, ts - delayDays]}; with delay 0 the
 * current transaction is included and same-millisecond transactions count in transaction-id order.
 *
 * @param name       column name, the model's input name
 * @param kind       what is computed
 * @param entity     whose history (windowed kinds only)
 * @param windowDays window length in days (windowed kinds only)
 * @param delayDays  how far back the window ends, in days (windowed kinds only)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeatureDef(String name, FeatureKind kind, Entity entity, Integer windowDays, Integer delayDays) {

    public FeatureDef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a feature needs a name");
        }
        if (kind == null) {
            throw new IllegalArgumentException("feature " + name + " needs a kind, one of "
                    + java.util.Arrays.toString(FeatureKind.values()));
        }
        if (kind.windowed()) {
            if (entity == null || windowDays == null || windowDays <= 0 || delayDays == null || delayDays < 0) {
                throw new IllegalArgumentException("windowed feature " + name + " needs an entity, windowDays > 0 and"
                        + " delayDays >= 0");
            }
            if (kind.readsLabels() && delayDays == 0) {
                throw new IllegalArgumentException("feature " + name + ": a feature of fraud labels needs delayDays > 0,"
                        + " labels are not known at payment time");
            }
        } else if (entity != null || windowDays != null || delayDays != null) {
            throw new IllegalArgumentException("stateless feature " + name + " takes no entity, window or delay");
        }
    }

    public static FeatureDef stateless(String name, FeatureKind kind) {
        return new FeatureDef(name, kind, null, null, null);
    }

    public static FeatureDef windowed(String name, FeatureKind kind, Entity entity, int windowDays, int delayDays) {
        return new FeatureDef(name, kind, entity, windowDays, delayDays);
    }
}
