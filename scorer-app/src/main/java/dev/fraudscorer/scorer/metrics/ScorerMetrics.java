package dev.fraudscorer.scorer.metrics;

import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.features.TerminalGate;
import dev.fraudscorer.scorer.validate.DeadLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
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
    private final Map<ShadowKey, io.micrometer.core.instrument.DistributionSummary> shadowDiffs = new ConcurrentHashMap<>();

    private record VerdictKey(dev.fraudscorer.schema.Decision decision, String model, int version) {
    }

    private record ShadowKey(int active, int shadow, boolean sameDecision) {
    }

    public ScorerMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
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
                k -> io.micrometer.core.instrument.DistributionSummary.builder("fraud_shadow_score_diff")
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
