package dev.fraudscorer.scorer.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka Streams names a store metric's id tag after the store type ({@code rocksdb-state-id},
 * {@code in-memory-state-id}, ...), so the same metric has different tag keys for different stores. Prometheus
 * requires one set of keys per name: Micrometer refused the second kind (the scorer has both), and every RocksDB or
 * every in-memory series was missing. Here both become {@code state_id} plus {@code store_type}.
 */
public final class StoreMetricTags implements MeterFilter {

    private static final String SUFFIX = ".state.id";

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith("kafka.stream.state")) {
            return id;
        }
        final List<Tag> tags = new ArrayList<>();
        boolean changed = false;
        for (Tag tag : id.getTagsAsIterable()) {
            if (tag.getKey().endsWith(SUFFIX) && !tag.getKey().equals("state.id")) {
                tags.add(Tag.of("state.id", tag.getValue()));
                tags.add(Tag.of("store.type", tag.getKey().substring(0, tag.getKey().length() - SUFFIX.length())));
                changed = true;
            } else {
                tags.add(tag);
            }
        }
        return changed ? id.replaceTags(tags) : id;
    }
}
