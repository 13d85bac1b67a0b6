package dev.fraudscorer.scorer.metrics;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.outlier.Psi;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-feature drift of live model inputs: the population stability index of each tumbling window of
 * {@code windowRecords} inputs against the training-window distribution shipped in the bundle
 * ({@link Manifest.FeatureStats#binShares()}), as gauge {@code fraud_feature_drift_psi{model_version, feature}}.
 * A bundle without reference bins publishes nothing.
 */
final class FeatureDrift {

    private final MeterRegistry registry;
    private final int windowRecords;
    private final Map<Integer, Window> windows = new ConcurrentHashMap<>();

    FeatureDrift(MeterRegistry registry, int windowRecords) {
        this.registry = registry;
        this.windowRecords = windowRecords;
    }

    void observe(int version, Manifest.Screening screening, double[] features) {
        // Whether a version has reference bins is decided once, on its first input: NONE for a bundle without them.
        windows.computeIfAbsent(version, v -> screening == null || screening.features().isEmpty()
                || !screening.features().get(0).hasBins() ? NONE
                : new Window(registry, windowRecords, v, screening.features())).add(features);
    }

    /** Drift of a version whose bundle carries no reference bins: nothing to measure. */
    private static final Window NONE = new Window();

    /** One version's counts; synchronised because stream threads share it, and a record's work is tiny. */
    private static final class Window {
        private final List<Manifest.FeatureStats> stats;
        private final long[][] counts;
        private final AtomicLong[] psiMicros;
        private final int windowRecords;
        private int n;

        private Window() {
            stats = List.of();
            counts = new long[0][];
            psiMicros = new AtomicLong[0];
            windowRecords = Integer.MAX_VALUE;
        }

        Window(MeterRegistry registry, int windowRecords, int version, List<Manifest.FeatureStats> stats) {
            this.windowRecords = windowRecords;
            this.stats = stats;
            counts = new long[stats.size()][];
            psiMicros = new AtomicLong[stats.size()];
            for (int f = 0; f < stats.size(); f++) {
                counts[f] = new long[stats.get(f).binShares().length];
                final AtomicLong value = new AtomicLong();
                psiMicros[f] = value;
                Gauge.builder("fraud_feature_drift_psi", value, v -> v.get() / 1e6)
                        .description("PSI of the last window of live inputs against the bundle's training reference")
                        .tag("model_version", String.valueOf(version)).tag("feature", stats.get(f).name())
                        .register(registry);
            }
        }

        void add(double[] x) {
            if (counts.length > 0) {
                count(x);
            }
        }

        private synchronized void count(double[] x) {
            for (int f = 0; f < counts.length && f < x.length; f++) {
                counts[f][stats.get(f).bin(x[f])]++;
            }
            if (++n >= windowRecords) {
                for (int f = 0; f < counts.length; f++) {
                    psiMicros[f].set(Math.round(Psi.of(counts[f], stats.get(f).binShares()) * 1e6));
                    java.util.Arrays.fill(counts[f], 0);
                }
                n = 0;
            }
        }
    }
}
