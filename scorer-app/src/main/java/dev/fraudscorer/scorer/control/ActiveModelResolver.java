package dev.fraudscorer.scorer.control;

import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.topics.Topics;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the model a stream thread should use: the version the latest control record names if it loads and
 * verifies, otherwise the last version that did (a bad promotion never takes scoring down).
 */
public final class ActiveModelResolver {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveModelResolver.class);

    private final String modelName;
    private final Deserializer<ModelControl> controls;
    private final Deserializer<ModelVersion> versions;
    private final ModelCache cache;
    private ReadOnlyKeyValueStore<String, byte[]> controlStore;
    private ReadOnlyKeyValueStore<String, byte[]> registryStore;
    private static final long RETRY_NANOS = 1_000_000_000L;
    private byte[] lastControl;
    private boolean resolved;
    private long lastAttempt;
    private LoadedModel current;

    public ActiveModelResolver(String modelName, Deserializer<ModelControl> controls, Deserializer<ModelVersion> versions,
                               ModelCache cache) {
        this.modelName = modelName;
        this.controls = controls;
        this.versions = versions;
        this.cache = cache;
    }

    public void init(ReadOnlyKeyValueStore<String, byte[]> controlStore, ReadOnlyKeyValueStore<String, byte[]> registryStore) {
        this.controlStore = controlStore;
        this.registryStore = registryStore;
    }

    /** Cheap on the hot path: one in-memory lookup and a reference comparison unless the control record changed. */
    public Optional<LoadedModel> active() {
        final byte[] control = controlStore.get(modelName);
        // A control record may arrive before the registry record it names: retry, at most once a second.
        if (control != lastControl || (!resolved && System.nanoTime() - lastAttempt > RETRY_NANOS)) {
            lastControl = control;
            lastAttempt = System.nanoTime();
            final Optional<LoadedModel> wanted = control == null ? Optional.empty()
                    : resolve(control, controls, versions, registryStore, cache);
            resolved = wanted.isPresent();
            current = wanted.or(() -> cache.lastActivated(modelName)).orElse(current);
        }
        return Optional.ofNullable(current);
    }

    static Optional<LoadedModel> resolve(byte[] controlBytes, Deserializer<ModelControl> controls,
                                         Deserializer<ModelVersion> versions,
                                         ReadOnlyKeyValueStore<String, byte[]> registry, ModelCache cache) {
        try {
            final ModelControl control = controls.deserialize(Topics.MODEL_CONTROL.name(), controlBytes);
            final String name = control.getModelName();
            final int version = control.getActiveVersion();
            final byte[] versionBytes = registry.get(ModelCache.key(name, version));
            if (versionBytes == null) {
                LOG.warn("model-control names {} but the registry has no such version", ModelCache.key(name, version));
                return Optional.empty();
            }
            return cache.activate(name, version, versions.deserialize(Topics.MODEL_REGISTRY.name(), versionBytes));
        } catch (RuntimeException e) {
            LOG.error("unreadable control or registry record: {}", e.toString());
            return Optional.empty();
        }
    }
}
