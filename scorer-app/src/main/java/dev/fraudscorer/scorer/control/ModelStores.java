package dev.fraudscorer.scorer.control;

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
            if (trust != null && refused(record, stored)) {
                return;
            }
            if (record.value() != null && ControlKeys.isGenerationKey(record.key())) {
                // A record under another generation's key would, once compacted, erase the record that key is for.
                final long named = ControlKeys.generationOf(record.key());
                final long carried;
                try {
                    carried = controls.deserialize(Topics.MODEL_CONTROL.name(), record.value()).getGeneration();
                } catch (RuntimeException e) {
                    cache.reject(model + "/control", "unreadable control record: " + e.getMessage());
                    return;
                }
                if (named != carried) {
                    cache.reject(model + "/control@" + carried, "control record of generation " + carried
                            + " under the key of generation " + named + "; ignored");
                    return;
                }
            }
            if (record.value() == null) {
                if (!ControlKeys.isGenerationKey(record.key())) {
                    store.delete(model);
                }
                // A tombstone of one generation's key only lets compaction forget that record: nothing changes.
                return;
            }
            if (stored != null && !java.util.Arrays.equals(stored, record.value())) {
                final long before;
                final long now;
                try {
                    before = controls.deserialize(Topics.MODEL_CONTROL.name(), stored).getGeneration();
                    now = controls.deserialize(Topics.MODEL_CONTROL.name(), record.value()).getGeneration();
                } catch (RuntimeException e) {
                    cache.reject(model + "/control", "unreadable control record: " + e.getMessage());
                    return;
                }
                if (!dev.fraudscorer.control.ControlGeneration.supersedes(before, now, false)) {
                    cache.reject(model + "/control@" + now, "control record generation " + now
                            + " is not above the applied " + before + " (replayed or out of order); ignored");
                    return;
                }
            }
            store.put(model, record.value());
            ActiveModelResolver.resolve(record.value(), controls, versions, registry, cache);
        }

        /** Reports and returns true if the record is not signed by a key allowed to make its change. */
        private boolean refused(Record<String, byte[]> record, byte[] stored) {
            final java.util.Optional<String> refused;
            final String what;
            try {
                final ModelControl next = record.value() == null ? null
                        : controls.deserialize(Topics.MODEL_CONTROL.name(), record.value());
                what = ControlKeys.modelOf(record.key()) + "/control@" + (next == null ? "tombstone" : next.getGeneration());
                // A tombstone cannot carry a signature: with authentication on it would let anyone stop serving.
                refused = next == null ? java.util.Optional.of("unsigned tombstone")
                        : ControlRecords.refuse(trust, next,
                                stored == null ? null : controls.deserialize(Topics.MODEL_CONTROL.name(), stored));
            } catch (RuntimeException e) {
                cache.reject(ControlKeys.modelOf(record.key()) + "/control", "unreadable control record: " + e.getMessage());
                return true;
            }
            refused.ifPresent(why -> cache.reject(what, why + "; ignored, what served keeps serving"));
            return refused.isPresent();
        }
    }
}
