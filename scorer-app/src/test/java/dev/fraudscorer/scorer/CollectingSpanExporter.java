package dev.fraudscorer.scorer;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps exported spans in memory, for asserting on what the scorer traced; or drops them, for benchmarks. */
final class CollectingSpanExporter implements SpanExporter {

    final List<SpanData> spans = new CopyOnWriteArrayList<>();
    private final boolean keep;

    CollectingSpanExporter() {
        this(true);
    }

    CollectingSpanExporter(boolean keep) {
        this.keep = keep;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
        if (keep) {
            spans.addAll(batch);
        }
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
