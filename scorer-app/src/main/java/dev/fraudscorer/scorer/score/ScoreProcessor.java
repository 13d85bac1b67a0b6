package dev.fraudscorer.scorer.score;

import dev.fraudscorer.features.FeatureEngine;
import dev.fraudscorer.features.PackedEntityStore;
import dev.fraudscorer.features.TxInput;
import dev.fraudscorer.scorer.features.FeatureStores;
import dev.fraudscorer.scorer.features.KeyValueEventStore;
import dev.fraudscorer.scorer.features.OverlaidEventStore;
import dev.fraudscorer.scorer.features.TerminalHistory;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.scorer.control.ActiveModelResolver;
import dev.fraudscorer.scorer.control.LoadedModel;
import dev.fraudscorer.scorer.control.Serving;
import dev.fraudscorer.schema.Decision;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import dev.fraudscorer.scorer.control.ModelStores;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import dev.fraudscorer.scorer.validate.DeadLetter;
import dev.fraudscorer.scorer.validate.Routed;
import dev.fraudscorer.scorer.verdict.VerdictBuilder;
import dev.fraudscorer.scorer.verdict.TaskCustomers;
import dev.fraudscorer.scorer.verdict.VerdictOutcomes;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Feature state, model score and verdict for one valid transaction, with the model active at that moment. The
 * customer's history is updated for every valid transaction, scored or not, so features do not depend on whether a
 * model happened to be active.
 */
public final class ScoreProcessor implements FixedKeyProcessor<byte[], Routed<Transaction>, Routed<Verdict>> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScoreProcessor.class);

    private final ActiveModelResolver resolver;
    private final ScorerMetrics metrics;
    private final Clock clock;
    private final int customerHistoryDays;
    private final int customerCacheEntities;
    private final TerminalHistory terminalHistory;
    private FixedKeyProcessorContext<byte[], Routed<Verdict>> context;
    private FeatureEngine engine;
    private final long labelWindowMs;
    private final Tracing tracing;
    private final TaskCustomers tasks;
    private TaskCustomers.Customers customers;

    public ScoreProcessor(ActiveModelResolver resolver, ScorerMetrics metrics, Clock clock, int customerHistoryDays,
                          int customerCacheEntities, TerminalHistory terminalHistory, long labelWindowMs, Tracing tracing,
                          TaskCustomers tasks) {
        this.tasks = tasks;
        this.customerCacheEntities = customerCacheEntities;
        this.tracing = tracing;
        this.labelWindowMs = labelWindowMs;
        this.resolver = resolver;
        this.terminalHistory = terminalHistory;
        this.metrics = metrics;
        this.clock = clock;
        this.customerHistoryDays = customerHistoryDays;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Routed<Verdict>> context) {
        this.context = context;
        resolver.init(context.getStateStore(ModelStores.CONTROL_STORE), context.getStateStore(ModelStores.REGISTRY_STORE));
        final KeyValueStore<Bytes, byte[]> customerRows = context.getStateStore(FeatureStores.CUSTOMER_STORE);
        final KeyValueStore<Bytes, byte[]> terminals = context.getStateStore(FeatureStores.TERMINAL_STORE);
        // A new state per init: a revived or migrated task's store may have been rewound or restored underneath.
        final PackedEntityStore history = FeatureStores.customerHistory(customerRows, customerCacheEntities);
        final VerdictOutcomes outcomes = new VerdictOutcomes(history, context.getStateStore(VerdictOutcomes.STORE),
                metrics, resolver.modelName(), labelWindowMs);
        // One pass over the task's restored rows: open label windows back into the join, and the first customers
        // decoded into memory, so a restarted task does not pay a load per customer under traffic.
        FeatureStores.forEachCustomer(customerRows, (customer, events) -> {
            outcomes.recover(customer, events);
            if (history.cachedEntities() < customerCacheEntities) {
                history.preload(customer, events);
            }
        });
        customers = new TaskCustomers.Customers(history, outcomes);
        tasks.open(context.taskId(), customers);
        engine = new FeatureEngine(history,
                new OverlaidEventStore(terminalHistory.cache().readThrough(KeyValueEventStore.readOnly(terminals)),
                        terminalHistory.recent()));
        context.schedule(Duration.ofSeconds(10), PunctuationType.WALL_CLOCK_TIME, now -> outcomes.expire());
    }

    @Override
    public void close() {
        tasks.close(context.taskId(), customers);
    }

    @Override
    public void process(FixedKeyRecord<byte[], Routed<Transaction>> record) {
        final Span span = tracing.start(record.headers());
        try {
            process(record, span);
        } finally {
            // The customer rows this transaction changed, each once: its day (entry and outcome state), the evicted day.
            customers.history().flush();
            if (span != null) {
                span.end();
            }
        }
    }

    private void process(FixedKeyRecord<byte[], Routed<Transaction>> record, Span span) {
        final Transaction tx = record.value().value();
        final byte[] original = record.value().original();
        final TxInput input = inputOf(tx);
        engine.recordCustomer(input, customerHistoryDays);
        final Optional<Serving> serving = resolver.serving();
        if (serving.isEmpty()) {
            if (span != null) {
                span.setStatus(StatusCode.ERROR, "NO_ACTIVE_MODEL");
            }
            context.forward(record.withValue(Routed.dead(DeadLetter.of(DeadLetter.Reason.NO_ACTIVE_MODEL,
                    "no verified model is active; publish and promote one with model-control"), original)));
            return;
        }
        final LoadedModel model = serving.get().forKey(record.key());
        final long waitStart = System.nanoTime();
        metrics.terminalHistoryWait(terminalHistory.gate().await(input.eventTimeMs()), System.nanoTime() - waitStart);
        final Verdict verdict;
        final double[] features;
        final String traceId = span != null ? span.getSpanContext().getTraceId() : Tracing.traceIdOf(record.headers());
        try {
            final long start = System.nanoTime();
            features = engine.compute(model.spec(), input);
            verdict = verdictOf(model, model.manifest().thresholds(), tx, features, clock.instant(), traceId);
            metrics.scored(verdict, System.nanoTime() - start, record.timestamp());
            metrics.inputs(model.version(), model.manifest().screening(), features);
        } catch (RuntimeException e) {
            LOG.warn("scoring transaction {} failed; dead-lettered (trace_id={})", tx.getTransactionId(), traceId, e);
            if (span != null) {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR, "SCORING_FAILED");
            }
            context.forward(record.withValue(Routed.dead(DeadLetter.of(DeadLetter.Reason.SCORING_FAILED, e), original)));
            return;
        }
        // Outside the try: a failure downstream (e.g. the sink) is not this record's scoring failure, and a record
        // must never be both a verdict and a dead letter. The verdict now waits for its label (live precision/recall).
        customers.outcomes().verdict(input.customerId(), input.eventTimeMs(), tx.getTransactionId(),
                verdict.getModelVersion(), verdict.getDecision() != Decision.APPROVE);
        final LoadedModel shadow = serving.get().shadow();
        Headers headers = record.headers();
        if (shadow != null) {
            headers = shadowHeaders(headers, verdict, model, shadow, input, features);
        }
        if (span != null) {
            span.setAttribute(Tracing.MODEL_VERSION, (long) verdict.getModelVersion());
            span.setAttribute(Tracing.DECISION, verdict.getDecision().name());
            span.setAttribute(Tracing.OUTLIER, verdict.getOutlier());
            span.setAttribute(Tracing.TRANSACTION, tx.getTransactionId());
            headers = shadow != null ? headers : new RecordHeaders(headers.toArray());
            Tracing.inject(span, headers);
        }
        if (verdict.getDecision() == Decision.DECLINE && LOG.isDebugEnabled()) {
            LOG.debug("DECLINE {} score {} version {} (trace_id={})", tx.getTransactionId(), verdict.getScore(),
                    verdict.getModelVersion(), traceId);
        }
        context.forward(record.withValue(Routed.ok(verdict, original)).withHeaders(headers));
    }

    /**
     * Scores with the shadow version (its own feature spec, which may differ) and reports it beside the verdict;
     * the decision is never the shadow's. A shadow that fails is counted and left out, never the verdict.
     */
    private Headers shadowHeaders(Headers in, Verdict verdict, LoadedModel model, LoadedModel shadow, TxInput input,
                                  double[] features) {
        final Headers out = new RecordHeaders(in.toArray());
        try {
            final double[] x = shadow.spec().equals(model.spec()) ? features
                    : engine.compute(shadow.spec(), input);
            final double score = shadow.ensemble().predict(x);
            final Decision decision = VerdictBuilder.decide(score, shadow.manifest().thresholds());
            out.add("shadow.model.version", ascii(String.valueOf(shadow.version())));
            out.add("shadow.score", ascii(Double.toString(score)));
            out.add("shadow.decision", ascii(decision.name()));
            metrics.shadowScored(verdict.getModelVersion(), shadow.version(), verdict.getDecision() == decision,
                    Math.abs(score - verdict.getScore()));
        } catch (RuntimeException e) {
            LOG.warn("shadow version {} failed on transaction {}", shadow.version(), verdict.getTransactionId(), e);
            metrics.shadowFailed(shadow.version());
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The fields of a transaction the feature engine reads. */
    /**
     * Score, decision, screening and reason codes of one transaction. The warm-up calls this very method: the JIT
     * profiles call sites, and a warm-up with its own copy of these calls (another lambda class for the
     * contributions) had the live path's first records deoptimize and recompile {@link VerdictBuilder#build}.
     */
    static Verdict verdictOf(LoadedModel model, dev.fraudscorer.bundle.Manifest.Thresholds thresholds, Transaction tx,
                             double[] features, java.time.Instant scoredAt, String traceId) {
        final double score = model.ensemble().predict(features);
        return VerdictBuilder.build(tx, score, model.name(), model.version(), thresholds, model.thresholdsId(),
                scoredAt, traceId, model.featureNames(), features, model.ensemble()::contributions, model.screen());
    }

    public static TxInput inputOf(Transaction tx) {
        return new TxInput(tx.getTransactionId(), tx.getEventTime().toEpochMilli(), tx.getCustomerId(),
                tx.getTerminalId(), tx.getAmount());
    }
}
