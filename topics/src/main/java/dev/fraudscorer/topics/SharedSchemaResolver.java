package dev.fraudscorer.topics;

import io.apicurio.registry.resolver.DefaultSchemaResolver;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.SchemaResolver;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * One Apicurio schema resolver (its registry client and schema cache) per registry and role, shared by every serde
 * {@link AvroSerdes} makes in the process. A scorer makes a deserializer per task and record type (they are not
 * thread-safe); each used to have its own client and cache, so every task's first record of every type waited on
 * its own HTTP lookup of the same schema: measured with JFR, about 0.9 s of the stream thread at start on a warm
 * registry, more on a cold one. Apicurio's cache is concurrent maps; configuring and closing happen once, here, not
 * per serde, so one task closing its serdes does not close the others' client.
 */
final class SharedSchemaResolver<U> implements SchemaResolver<Schema, U> {

    private static final Map<String, Shared> SHARED = new ConcurrentHashMap<>();

    /** The process's resolver for one registry and role, configured by the first serde that asks. */
    private static final class Shared {
        final DefaultSchemaResolver<Schema, Object> resolver = new DefaultSchemaResolver<>();
        private boolean configured;

        @SuppressWarnings({"unchecked", "rawtypes"})
        synchronized void configureOnce(Map<String, ?> configs, SchemaParser<Schema, ?> parser) {
            if (!configured) {
                resolver.configure(configs, (SchemaParser) parser);
                configured = true;
            }
        }
    }

    private final Shared shared;
    private final DefaultSchemaResolver<Schema, Object> delegate;

    private SharedSchemaResolver(String name) {
        this.shared = SHARED.computeIfAbsent(name, n -> new Shared());
        this.delegate = shared.resolver;
    }

    /** @param role e.g. "reader" or "writer": readers and writers keep their own cache, as Apicurio's serdes expect */
    static <U> SharedSchemaResolver<U> of(String registryUrl, String role) {
        return new SharedSchemaResolver<>(role + " " + registryUrl);
    }

    /** Whether this and {@code other} resolve through the same client and cache. */
    boolean sharesWith(SharedSchemaResolver<?> other) {
        return delegate == other.delegate;
    }

    /** The first serde configures it; every serde passes the same settings ({@link AvroSerdes#config}). */
    @Override
    public void configure(Map<String, ?> configs, SchemaParser<Schema, U> parser) {
        shared.configureOnce(configs, parser);
    }

    @Override
    public void setClientFacade(RegistryClientFacade client) {
        delegate.setClientFacade(client);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setArtifactResolverStrategy(ArtifactReferenceResolverStrategy<Schema, U> strategy) {
        delegate.setArtifactResolverStrategy((ArtifactReferenceResolverStrategy) strategy);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SchemaParser<Schema, U> getSchemaParser() {
        return (SchemaParser) delegate.getSchemaParser();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SchemaLookupResult<Schema> resolveSchema(Record<U> data) {
        return delegate.resolveSchema((Record) data);
    }

    @Override
    public SchemaLookupResult<Schema> resolveSchemaByArtifactReference(ArtifactReference reference) {
        return delegate.resolveSchemaByArtifactReference(reference);
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    /** Not closed with a serde: the client serves the whole process. */
    @Override
    public void close() {
    }
}
