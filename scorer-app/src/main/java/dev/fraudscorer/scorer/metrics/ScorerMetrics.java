package dev.fraudscorer.scorer.metrics;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.Serving;
import dev.fraudscorer.scorer.features.TerminalGate;
import dev.fraudscorer.scorer.validate.DeadLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The scorer's own meters. Tag values are bounded: decisions, reasons, model versions. */
public final class ScorerMetrics {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Timer scoringTime;
    private final Timer ingestToVerdict;
    // Per-record meters, looked up by a small key instead of a builder and a registry search on every record.
    private final Map<VerdictKey, Counter> verdicts = new ConcurrentHashMap<>();
    private final Map<ShadowKey, Counter> shadowComparisons = new ConcurrentHashMap<>();
    private final Map<ShadowKey, DistributionSummary> shadowDiffs = new ConcurrentHashMap<>();

    private record VerdictKey(dev.fraudscorer.schema.Decision decision, String model, int version) {
    }

    private record ShadowKey(int active, int shadow, boolean sameDecision) {
    }

    /** Inputs per drift window when none is configured (tests, tools). */
    public static final int DEFAULT_DRIFT_WINDOW = 5_000;

    private final FeatureDrift drift;
    private final Timer eventToVerdict;
    private final Map<Integer, Counter> outliers = new ConcurrentHashMap<>();
    private final MultiGauge serving;
    private final Map<Integer, Counter[]> outcomes = new ConcurrentHashMap<>();

    public ScorerMetrics(MeterRegistry registry, Clock clock) {
        this(registry, clock, DEFAULT_DRIFT_WINDOW);
    }

    public ScorerMetrics(MeterRegistry registry, Clock clock, int driftWindowRecords) {
        this.registry = registry;
        this.clock = clock;
        this.drift = new FeatureDrift(registry, driftWindowRecords);
        this.serving = MultiGauge.builder("fraud_model_serving")
                .description("1 for each version this instance serves, by role: active, canary, shadow, previous")
                .register(registry);
        this.eventToVerdict = Timer.builder("fraud_event_to_verdict")
                .description("transaction event time to verdict produced (includes producer-side delay)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.scoringTime = Timer.builder("fraud_scoring_time").description("features + model per record")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(500))
                .maximumExpectedValue(Duration.ofMillis(100)).register(registry);
        this.ingestToVerdict = Timer.builder("fraud_ingest_to_verdict")
                .description("input record timestamp (producer or broker time) to verdict produced")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }

    /** For tests and tools that do not export metrics. */
    public static ScorerMetrics discarding() {
        return new ScorerMetrics(new SimpleMeterRegistry(), Clock.systemUTC());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void scored(Verdict verdict, long scoringNanos, long inputTimestampMs) {
        scoringTime.record(scoringNanos, TimeUnit.NANOSECONDS);
        final long lag = clock.millis() - inputTimestampMs;
        if (lag >= 0) {
            ingestToVerdict.record(lag, TimeUnit.MILLISECONDS);
        }
        final long sinceEvent = clock.millis() - verdict.getEventTime().toEpochMilli();
        if (sinceEvent >= 0) {
            eventToVerdict.record(sinceEvent, TimeUnit.MILLISECONDS);
        }
        // Created with a version's first verdict, so its outlier rate reads 0, not unknown.
        final Counter outlierCount = outliers.computeIfAbsent(verdict.getModelVersion(), v -> Counter.builder("fraud_outliers")
                .description("verdicts whose input the bundle's screening flagged").tag("model", verdict.getModelName())
                .tag("model_version", String.valueOf(v)).register(registry));
        if (verdict.getOutlier()) {
            outlierCount.increment();
        }
        verdicts.computeIfAbsent(new VerdictKey(verdict.getDecision(), verdict.getModelName(), verdict.getModelVersion()),
                k -> Counter.builder("fraud_verdicts").tag("decision", k.decision().name()).tag("model", k.model())
                        .tag("model_version", String.valueOf(k.version())).register(registry)).increment();
    }

    /** Time a transaction waited for terminal history; READY (no wait) is counted without timing. */
    public void terminalHistoryWait(TerminalGate.Outcome outcome, long nanos) {
        if (outcome == TerminalGate.Outcome.READY) {
            return;
        }
        Timer.builder("fraud_terminal_history_wait").description("waits for the global terminal store to catch up")
                .tag("outcome", outcome.name()).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Shadow agreement per (active, shadow) version pair: same-decision counts and the score difference. */
    public void shadowScored(int activeVersion, int shadowVersion, boolean sameDecision, double scoreDiff) {
        shadowComparisons.computeIfAbsent(new ShadowKey(activeVersion, shadowVersion, sameDecision),
                k -> Counter.builder("fraud_shadow_comparisons").tag("model_version", String.valueOf(k.active()))
                        .tag("shadow_version", String.valueOf(k.shadow()))
                        .tag("same_decision", String.valueOf(k.sameDecision())).register(registry)).increment();
        shadowDiffs.computeIfAbsent(new ShadowKey(activeVersion, shadowVersion, true),
                k -> DistributionSummary.builder("fraud_shadow_score_diff")
                        .description("|active score - shadow score|").tag("model_version", String.valueOf(k.active()))
                        .tag("shadow_version", String.valueOf(k.shadow())).publishPercentiles(0.5, 0.99)
                        .register(registry)).record(scoreDiff);
    }

    public void shadowFailed(int shadowVersion) {
        Counter.builder("fraud_shadow_failures").tag("shadow_version", String.valueOf(shadowVersion))
                .register(registry).increment();
    }

    public void deadLetter(DeadLetter.Reason reason) {
        Counter.builder("fraud_dead_letters").tag("reason", reason.name()).register(registry).increment();
    }

    /** Live model inputs, for per-feature drift against the bundle's training reference. */
    public void inputs(int version, Manifest.Screening screening, double[] features) {
        drift.observe(version, screening, features);
    }

    /**
     * What this instance serves changed: the serving gauge is rewritten, and a change of the active version counts
     * as a swap.
     */
    public void servingChanged(String model, Serving before,
                               Serving now) {
        if (before == null || before.active().version() != now.active().version()) {
            Counter.builder("fraud_model_swaps").description("changes of the active version seen by this instance")
                    .tag("model", model).register(registry).increment();
        }
        final List<MultiGauge.Row<?>> rows = new ArrayList<>();
        rows.add(row(model, "active", now.active().version()));
        if (now.canary() != null) {
            rows.add(row(model, "canary", now.canary().version()));
        }
        if (now.shadow() != null) {
            rows.add(row(model, "shadow", now.shadow().version()));
        }
        if (now.previousVersion() != null) {
            rows.add(row(model, "previous", now.previousVersion()));
        }
        serving.register(rows, true);
    }

    private static MultiGauge.Row<?> row(String model, String role, int version) {
        return MultiGauge.Row.of(Tags.of("model", model,
                "role", role, "version", String.valueOf(version)), 1);
    }

    /**
     * {@code n} verdicts' outcome once their label is known (tp, fn) or their label window closed without one (fp,
     * tn; a closing window counts its unlabelled verdicts at once), for live precision = tp / (tp + fp) and recall =
     * tp / (tp + fn) per version, computed in PromQL.
     */
    public void labelOutcome(String model, int version, boolean flagged, boolean fraud, long n) {
        // Looked up by version, not by a string built per call: one call per verdict (JFR: a string key per call
        // was a tenth of the scoring thread's samples).
        final Counter[] counters = outcomes.computeIfAbsent(version, v -> {
            // All four at once, so precision and recall exist (as 0/0) from a version's first outcome on.
            final Counter[] four = new Counter[4];
            final String[] names = {"tn", "fp", "fn", "tp"};
            for (int i = 0; i < four.length; i++) {
                four[i] = Counter.builder("fraud_label_outcomes")
                        .description("verdicts joined with fraud-labels: tp, fp, fn, tn (flagged = REVIEW or DECLINE)")
                        .tag("model", model).tag("model_version", String.valueOf(v)).tag("outcome", names[i])
                        .register(registry);
            }
            return four;
        });
        counters[(fraud ? 2 : 0) + (flagged ? 1 : 0)].increment(n);
    }

    /**
     * Counters that should read 0 rather than be absent before their first event (dashboards and alerts
     * treat a missing series as unknown): dead letters per reason, and swaps and rejections of the served model.
     */
    public void registerModel(String model) {
        for (DeadLetter.Reason reason : DeadLetter.Reason.values()) {
            Counter.builder("fraud_dead_letters").tag("reason", reason.name()).register(registry);
        }
        Counter.builder("fraud_model_swaps").description("changes of the active version seen by this instance")
                .tag("model", model).register(registry);
        Counter.builder("fraud_model_rejections").tag("model", model).register(registry);
    }

    /** A failure Kafka Streams' error handlers saw (outside our own try/catch), by reason and processor node. */
    public void streamError(DeadLetter.Reason reason, String node) {
        Counter.builder("fraud_stream_errors").tag("reason", reason.name()).tag("node", String.valueOf(node))
                .register(registry).increment();
    }

    public void modelRejected(String modelKey) {
        Counter.builder("fraud_model_rejections").tag("model", modelKey.substring(0, modelKey.indexOf('/')))
                .register(registry).increment();
    }
}
