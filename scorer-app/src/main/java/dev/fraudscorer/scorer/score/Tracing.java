package dev.fraudscorer.scorer.score;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A span per scored record: W3C trace context is read from the transaction's headers and the verdict carries the
 * scoring span's {@code traceparent}, so a trace runs from the payment service through the scorer to whoever reads
 * verdicts. Sampling is parent-based with a ratio for root traces; off (a no-op) unless an OTLP endpoint is set.
 */
public final class Tracing implements AutoCloseable {

    public static final AttributeKey<Long> MODEL_VERSION = AttributeKey.longKey("fraud.model.version");
    public static final AttributeKey<String> DECISION = AttributeKey.stringKey("fraud.decision");
    public static final AttributeKey<Boolean> OUTLIER = AttributeKey.booleanKey("fraud.outlier");
    public static final AttributeKey<String> TRANSACTION = AttributeKey.stringKey("fraud.transaction.id");
    /** A constant: the String overload of setAttribute makes a key per call, per record. */
    private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");

    private static final W3CTraceContextPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            final List<String> keys = new ArrayList<>();
            headers.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            final Header h = headers == null ? null : headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };
    private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider == null ? null : provider.get("dev.fraudscorer.scorer");
    }

    public static Tracing off() {
        return new Tracing(null);
    }

    /** OTLP/gRPC to {@code endpoint}, batched; {@link #off()} when the endpoint is empty. */
    public static Tracing create(String endpoint, double sampleRatio, String serviceName) {
        if (endpoint == null || endpoint.isBlank()) {
            return off();
        }
        return with(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build()).build(),
                sampleRatio, serviceName);
    }

    /** Spans handed to {@code exporter} as each ends: for tests. */
    public static Tracing exportingTo(SpanExporter exporter, double sampleRatio) {
        return with(SimpleSpanProcessor.create(exporter), sampleRatio, "fraud-scorer-test");
    }

    private static Tracing with(SpanProcessor processor, double ratio, String serviceName) {
        return new Tracing(SdkTracerProvider.builder().addSpanProcessor(processor)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)))
                .setResource(Resource.getDefault().merge(Resource.create(io.opentelemetry.api.common.Attributes.of(
                        AttributeKey.stringKey("service.name"), serviceName))))
                .build());
    }

    /** Starts the scoring span as a child of the input's trace context, if it has one; null when tracing is off. */
    public Span start(Headers input) {
        if (tracer == null) {
            return null;
        }
        final Context parent = PROPAGATOR.extract(Context.root(), input, GETTER);
        return tracer.spanBuilder("score transaction").setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute(MESSAGING_SYSTEM, "kafka").startSpan();
    }

    /** The trace id of a W3C {@code traceparent} header, or null: for log lines and the verdict. */
    public static String traceIdOf(Headers headers) {
        final String traceparent = headers == null ? null : GETTER.get(headers, "traceparent");
        if (traceparent == null) {
            return null;
        }
        final String[] parts = traceparent.split("-");
        return parts.length == 4 && parts[1].length() == 32 ? parts[1] : null;
    }

    /** Writes {@code span}'s traceparent into {@code output}, replacing the input's, so readers continue from it. */
    public static void inject(Span span, Headers output) {
        PROPAGATOR.inject(Context.root().with(span), output, SETTER);
    }

    @Override
    public void close() {
        if (provider != null) {
            provider.close();
        }
    }
}
