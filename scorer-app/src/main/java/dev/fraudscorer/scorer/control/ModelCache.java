package dev.fraudscorer.scorer.control;

import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.features.FeatureEngine;
import dev.fraudscorer.schema.ModelVersion;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parsed model versions of this process, shared by the global thread (which loads a version as soon as a control
 * record names it) and the stream threads (which load on a miss, e.g. after a restart restored the stores).
 * Versions that failed verification are remembered so they are not retried on every record.
 */
public final class ModelCache {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    private final Map<String, LoadedModel> loaded = new ConcurrentHashMap<>();
    private final Map<String, String> rejected = new ConcurrentHashMap<>();
    private final Map<String, LoadedModel> lastActivated = new ConcurrentHashMap<>();
    private final BiConsumer<String, String> onReject;
    private final FeatureEngine.Capabilities capabilities;

    /**
     * @param capabilities what the feature state can compute; a bundle asking more is rejected
     * @param onReject     called with (model key, reason) once per rejected version
     */
    public ModelCache(FeatureEngine.Capabilities capabilities, BiConsumer<String, String> onReject) {
        this.capabilities = capabilities;
        this.onReject = onReject;
    }

    public static String key(String name, int version) {
        return name + "/" + version;
    }

    /**
     * Activates a version named by a control record, loading it from {@code record} if needed.
     *
     * @return the version, or empty if it is rejected
     */
    public Optional<LoadedModel> activate(String name, int version, ModelVersion record) {
        final String key = key(name, version);
        LoadedModel model = loaded.get(key);
        if (model == null && !rejected.containsKey(key) && record != null) {
            model = loaded.computeIfAbsent(key, k -> load(name, version, record));
        }
        if (model != null) {
            lastActivated.put(name, model);
        }
        return Optional.ofNullable(model);
    }

    /** @return the version most recently activated successfully in this process: what serves when a newer one fails */
    public Optional<LoadedModel> lastActivated(String name) {
        return Optional.ofNullable(lastActivated.get(name));
    }


    public Optional<String> rejection(String name, int version) {
        return Optional.ofNullable(rejected.get(key(name, version)));
    }

    private LoadedModel load(String name, int version, ModelVersion record) {
        final String key = key(name, version);
        try {
            final byte[] bytes = record.getBundle().array();
            final String sha = ModelBundle.sha256(bytes);
            if (!sha.equals(record.getBundleSha256())) {
                throw new IllegalArgumentException("bundle sha256 " + sha + " does not match the registry's "
                        + record.getBundleSha256());
            }
            final long start = System.nanoTime();
            final LoadedModel model = LoadedModel.load(name, version, ModelBundle.fromBytes(bytes), capabilities);
            LOG.info("loaded model {} ({} trees, {} features) in {} ms", key, model.ensemble().numTrees(),
                    model.spec().size(), (System.nanoTime() - start) / 1_000_000);
            return model;
        } catch (RuntimeException e) {
            rejected.put(key, e.getMessage());
            LOG.error("rejected model {}: {}", key, e.getMessage());
            onReject.accept(key, e.getMessage());
            return null;
        }
    }
}
