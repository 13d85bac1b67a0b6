package dev.fraudscorer.scorer.control;

import dev.fraudscorer.control.ControlState;
import dev.fraudscorer.control.ControlTrust;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.topics.ControlKeys;
import dev.fraudscorer.topics.ControlRecords;
import dev.fraudscorer.topics.Topics;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The control plane inside the topology: model-registry and model-control are read as global stores, so every
 * instance sees every record within a poll, needs no rebalance to switch, and has them fully restored before it
 * scores its first transaction. Values are kept as the raw Avro bytes and decoded where used, so a record this
 * version cannot read is logged and skipped instead of stopping the global thread.
 */
public final class ModelStores {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelStores.class);
    public static final String CONTROL_STORE = "model-control-store";
    public static final String REGISTRY_STORE = "model-registry-store";

    private ModelStores() {
    }

    /**
     * Adds both global stores; a control record also pre-loads the version it names into {@code cache}.
     *
     * @param trust who may write control records, or null when they are not authenticated
     */
    public static void addTo(StreamsBuilder builder, Supplier<Deserializer<ModelControl>> controls,
                             Supplier<Deserializer<ModelVersion>> versions, ModelCache cache, ControlTrust trust) {
        if (trust == null) {
            LOG.warn("model.control.trusted.keys is not set: anyone who can write the model-control topic chooses what"
                    + " this scorer serves");
        }
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REGISTRY_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                Topics.MODEL_REGISTRY.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("model-registry"),
                () -> new StoreWriter(REGISTRY_STORE));
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CONTROL_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                Topics.MODEL_CONTROL.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("model-control"),
                () -> new ControlWriter(controls.get(), versions.get(), cache, trust));
    }

    /** Writes each record into its store; a null value deletes. */
    private static final class StoreWriter implements Processor<String, byte[], Void, Void> {
        private final String storeName;
        private KeyValueStore<String, byte[]> store;

        StoreWriter(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }

    /**
     * Stores a control record unless it is older than the one stored (a replayed record must not roll anything
     * back; the CLI raises the generation with every record) or, with {@link ControlTrust}, not signed by a key
     * allowed to make that change; then loads and verifies the versions it names before a stream thread needs them.
     * Kafka Streams runs this processor on restore too (global stores reprocess on restore), so a refused record is
     * refused again after a restart, and the store ends on the newest record that was accepted.
     */
    private static final class ControlWriter implements Processor<String, byte[], Void, Void> {
        static final java.time.Duration REGISTRY_PATIENCE = java.time.Duration.ofMinutes(10);
        private final Deserializer<ModelControl> controls;
        private final Deserializer<ModelVersion> versions;
        private final ModelCache cache;
        private KeyValueStore<String, byte[]> store;
        private KeyValueStore<String, byte[]> registry;
        private final ControlTrust trust;

        ControlWriter(Deserializer<ModelControl> controls, Deserializer<ModelVersion> versions, ModelCache cache,
                      ControlTrust trust) {
            this.controls = controls;
            this.versions = versions;
            this.cache = cache;
            this.trust = trust;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(CONTROL_STORE);
            registry = context.getStateStore(REGISTRY_STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            // Records are keyed <model>/<generation> (ControlKeys), so compaction never drops a newer generation in
            // favour of a replayed older one; the store holds the one in force per model. A record keyed by the model
            // name alone (written before) maps to the same entry.
            final String model = ControlKeys.modelOf(record.key());
            final byte[] stored = store.get(model);
            final boolean same = java.util.Arrays.equals(stored, record.value());
            final ModelControl next;
            final ModelControl current;
            try {
                next = record.value() == null ? null : decode(record.value());
                current = stored == null ? null : same ? next : decode(stored);
            } catch (RuntimeException e) {
                if (trust == null && (stored == null || same)) {
                    // Nothing to compare with and nobody to authenticate: stored, and the resolver reports it.
                    store.put(model, record.value());
                    ActiveModelResolver.resolve(record.value(), controls, versions, registry, cache);
                } else {
                    cache.reject(model + "/control", "unreadable control record: " + e.getMessage());
                }
                return;
            }
            final java.util.Optional<String> refused = refusal(record.key(), next, current);
            if (refused.isPresent()) {
                cache.reject(model + "/control@" + (next == null ? "tombstone" : next.getGeneration()), refused.get());
                return;
            }
            if (next == null) {
                // A tombstone of one generation's key only lets compaction forget that record: nothing changes.
                if (!ControlKeys.isGenerationKey(record.key())) {
                    store.delete(model);
                }
                return;
            }
            store.put(model, record.value());
            ActiveModelResolver.resolve(record.value(), controls, versions, registry, cache);
        }

        /**
         * Why {@code next} (null: a tombstone) must not replace {@code current} (null: none), or empty. The record
         * in force read again (a restore) is accepted: {@link ControlState} sees equal content.
         */
        private java.util.Optional<String> refusal(String key, ModelControl next, ModelControl current) {
            if (trust != null) {
                // A tombstone cannot carry a signature: with authentication on it would let anyone stop serving.
                final java.util.Optional<String> unsigned = next == null ? java.util.Optional.of("unsigned tombstone")
                        : ControlRecords.refuse(trust, next, current);
                if (unsigned.isPresent()) {
                    return unsigned.map(why -> why + "; ignored, what served keeps serving");
                }
            }
            if (next == null) {
                return java.util.Optional.empty();
            }
            if (ControlKeys.isGenerationKey(key) && ControlKeys.generationOf(key) != next.getGeneration()) {
                // Once compacted, it would erase the record that key is for.
                return java.util.Optional.of("control record of generation " + next.getGeneration()
                        + " under the key of generation " + ControlKeys.generationOf(key) + "; ignored");
            }
            if (current != null && !ControlState.empty(current.getModelName()).apply(ControlRecords.content(current))
                    .accepts(ControlRecords.content(next))) {
                return java.util.Optional.of("control record generation " + next.getGeneration()
                        + " is not above the applied " + current.getGeneration() + " (replayed or out of order); ignored");
            }
            return java.util.Optional.empty();
        }

        /**
         * A control record must not be refused because the registry was slow to give its schema (it would stay
         * refused until a restart): this waits for the registry, up to {@link #REGISTRY_PATIENCE}, on the global
         * thread only (stream threads keep scoring with what serves).
         */
        private ModelControl decode(byte[] bytes) {
            final long giveUp = System.nanoTime() + REGISTRY_PATIENCE.toNanos();
            long warnAt = System.nanoTime();
            while (true) {
                try {
                    return controls.deserialize(Topics.MODEL_CONTROL.name(), bytes);
                } catch (dev.fraudscorer.topics.BoundedRegistryCalls.Timeout e) {
                    if (System.nanoTime() - giveUp > 0) {
                        throw e;
                    }
                    if (System.nanoTime() - warnAt >= 0) {
                        LOG.warn("waiting for the schema registry to read a model-control record: {}", e.getMessage());
                        warnAt = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
                    }
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
    }
}
