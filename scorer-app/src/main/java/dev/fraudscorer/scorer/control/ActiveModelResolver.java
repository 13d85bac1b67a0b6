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
 * Finds what a stream thread should serve: the versions the latest control record names if they all verify and
 * load, otherwise what served last (a bad promotion never takes scoring down).
 */
public final class ActiveModelResolver {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveModelResolver.class);
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final String modelName;
    private final Deserializer<ModelControl> controls;
    private final Deserializer<ModelVersion> versions;
    private final ModelCache cache;
    private ReadOnlyKeyValueStore<String, byte[]> controlStore;
    private ReadOnlyKeyValueStore<String, byte[]> registryStore;
    private byte[] lastControl;
    private boolean resolved;
    private long lastAttempt;
    private Serving current;

    public ActiveModelResolver(String modelName, Deserializer<ModelControl> controls, Deserializer<ModelVersion> versions,
                               ModelCache cache) {
        this.modelName = modelName;
        this.controls = controls;
        this.versions = versions;
        this.cache = cache;
    }

    public String modelName() {
        return modelName;
    }

    public void init(ReadOnlyKeyValueStore<String, byte[]> controlStore, ReadOnlyKeyValueStore<String, byte[]> registryStore) {
        this.controlStore = controlStore;
        this.registryStore = registryStore;
    }

    /** Cheap on the hot path: one in-memory lookup and a reference comparison unless the control record changed. */
    public Optional<Serving> serving() {
        final byte[] control = controlStore.get(modelName);
        // A control record may arrive before the registry record it names: retry, at most once a second.
        if (control != lastControl || (!resolved && System.nanoTime() - lastAttempt > RETRY_NANOS)) {
            lastControl = control;
            lastAttempt = System.nanoTime();
            final Optional<Serving> wanted = control == null ? Optional.empty()
                    : resolve(control, controls, versions, registryStore, cache);
            resolved = wanted.isPresent();
            current = wanted.or(() -> cache.lastServing(modelName)).orElse(current);
        }
        return Optional.ofNullable(current);
    }

    /** Loads every version a control record names; empty (and logged, counted) if any of them must not serve. */
    static Optional<Serving> resolve(byte[] controlBytes, Deserializer<ModelControl> controls,
                                     Deserializer<ModelVersion> versions,
                                     ReadOnlyKeyValueStore<String, byte[]> registry, ModelCache cache) {
        try {
            final ModelControl control = controls.deserialize(Topics.MODEL_CONTROL.name(), controlBytes);
            final String name = control.getModelName();
            final Optional<LoadedModel> active = load(name, control.getActiveVersion(), versions, registry, cache);
            final Optional<LoadedModel> canary = control.getCanaryVersion() == null ? Optional.empty()
                    : load(name, control.getCanaryVersion(), versions, registry, cache);
            final Optional<LoadedModel> shadow = control.getShadowVersion() == null ? Optional.empty()
                    : load(name, control.getShadowVersion(), versions, registry, cache);
            if (active.isEmpty() || (control.getCanaryVersion() != null && canary.isEmpty())
                    || (control.getShadowVersion() != null && shadow.isEmpty())) {
                return Optional.empty();
            }
            final Serving serving = new Serving(active.get(), canary.orElse(null), control.getCanaryPercent(),
                    shadow.orElse(null), control.getPreviousVersion(), control.getGeneration());
            cache.applied(name, serving);
            return Optional.of(serving);
        } catch (RuntimeException e) {
            LOG.error("unreadable control or registry record: {}", e.toString());
            return Optional.empty();
        }
    }

    private static Optional<LoadedModel> load(String name, int version, Deserializer<ModelVersion> versions,
                                              ReadOnlyKeyValueStore<String, byte[]> registry, ModelCache cache) {
        final Optional<LoadedModel> loaded = cache.loaded(name, version);
        if (loaded.isPresent()) {
            return loaded;
        }
        final byte[] versionBytes = registry.get(ModelCache.key(name, version));
        if (versionBytes == null) {
            LOG.warn("model-control names {} but the registry has no such version", ModelCache.key(name, version));
            return Optional.empty();
        }
        return cache.load(name, version, versions.deserialize(Topics.MODEL_REGISTRY.name(), versionBytes));
    }
}
