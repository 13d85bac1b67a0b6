package dev.fraudscorer.topics;

import io.apicurio.registry.serde.avro.AvroDatumProvider;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Apicurio's default datum provider, with its readers and writers found by schema identity. The default keys its
 * caches by a fingerprint it computes from the schema's canonical form on every record; JFR showed that at ~10% of
 * the scorer's stream-thread CPU. A serde sees a handful of schema objects (a generated class's {@code SCHEMA$}, the
 * registry client's cached writer schemas), so an identity lookup finds them; past {@link #MAX_SCHEMAS} distinct
 * objects it stops caching and asks the default, so a resolver that hands out fresh copies cannot grow it. A cached
 * writer encodes through a per-thread buffer ({@link BufferedDatumWriter}).
 */
public final class SchemaIdentityDatumProvider<T> implements AvroDatumProvider<T> {

    static final int MAX_SCHEMAS = 64;

    private final DefaultAvroDatumProvider<T> delegate = new DefaultAvroDatumProvider<>();
    // Copy-on-write: lookups on the hot path are a volatile read and an identity probe, no lock.
    private volatile Map<Schema, DatumWriter<T>> writers = new IdentityHashMap<>();
    private volatile Map<Schema, DatumReader<T>> readers = new IdentityHashMap<>();

    @Override
    public void configure(AvroSerdeConfig config) {
        delegate.configure(config);
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        if (!(data instanceof SpecificRecord)) {
            return delegate.createDatumWriter(data, schema);
        }
        final DatumWriter<T> cached = writers.get(schema);
        if (cached != null) {
            return cached;
        }
        final DatumWriter<T> created = new BufferedDatumWriter<>(delegate.createDatumWriter(data, schema));
        synchronized (this) {
            writers = with(writers, schema, created);
        }
        return created;
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        final DatumReader<T> cached = readers.get(schema);
        if (cached != null) {
            return cached;
        }
        final DatumReader<T> created = delegate.createDatumReader(schema);
        synchronized (this) {
            readers = with(readers, schema, created);
        }
        return created;
    }

    /** A copy of {@code cache} that also maps {@code schema}, or {@code cache} itself once it is full. */
    private static <V> Map<Schema, V> with(Map<Schema, V> cache, Schema schema, V value) {
        if (cache.size() >= MAX_SCHEMAS) {
            return cache;
        }
        final Map<Schema, V> next = new IdentityHashMap<>(cache);
        next.put(schema, value);
        return next;
    }

    @Override
    public Schema toSchema(T data) {
        return delegate.toSchema(data);
    }
}
