package dev.fraudscorer.scorer.features;

import java.util.function.UnaryOperator;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/** A store supplier whose stores are {@code inner}'s with a layer of ours around them (same name, metrics scope). */
final class LayeredStoreSupplier implements KeyValueBytesStoreSupplier {

    private final KeyValueBytesStoreSupplier inner;
    private final UnaryOperator<KeyValueStore<Bytes, byte[]>> layer;

    LayeredStoreSupplier(KeyValueBytesStoreSupplier inner, UnaryOperator<KeyValueStore<Bytes, byte[]>> layer) {
        this.inner = inner;
        this.layer = layer;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return layer.apply(inner.get());
    }

    @Override
    public String metricsScope() {
        return inner.metricsScope();
    }
}
