package dev.fraudscorer.scorer;

import java.util.Map;

/**
 * Topic settings of the local stores' changelogs, which Kafka Streams creates compacted. A restart after an unclean
 * stop restores a store from its changelog from the start (under exactly-once Kafka Streams 4.3 wipes such a
 * store), so what matters is how much of the changelog is still there: the broker only compacts closed segments,
 * and the default 1 GiB segment never closes for a store of this size, so every put and delete ever written was read
 * back (measured on the demo's state: 136k records per partition for a store holding about 12k). Small segments let
 * the cleaner keep the changelog near the store's live size; tombstones stay ten minutes, far longer than any
 * restore takes.
 */
public final class StoreChangelogs {

    private StoreChangelogs() {
    }

    public static Map<String, String> configs() {
        return Map.of(
                "segment.bytes", Integer.toString(1024 * 1024),
                "min.cleanable.dirty.ratio", "0.1",
                "delete.retention.ms", Long.toString(10 * 60 * 1000L));
    }
}
