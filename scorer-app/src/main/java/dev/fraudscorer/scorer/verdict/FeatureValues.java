package dev.fraudscorer.scorer.verdict;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A verdict's features as the map its schema asks for, in the model's input order, without a hash table: the Avro
 * writer only walks the entries, and filling a {@code LinkedHashMap} per verdict (hashing every name, one resize)
 * was most of {@code VerdictBuilder.build} in JFR. Immutable; lookups by name are linear, which no hot path does.
 */
final class FeatureValues extends AbstractMap<String, Double> {

    private final List<String> names;
    private final double[] values;

    /** @param values copied: the caller's array may be a scratch buffer */
    FeatureValues(List<String> names, double[] values) {
        if (names.size() != values.length) {
            throw new IllegalArgumentException(names.size() + " feature names for " + values.length + " values");
        }
        this.names = names;
        this.values = values.clone();
    }

    @Override
    public Set<Map.Entry<String, Double>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return values.length;
            }

            @Override
            public Iterator<Map.Entry<String, Double>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Map.Entry<String, Double> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        final int i = next++;
                        return new AbstractMap.SimpleImmutableEntry<>(names.get(i), values[i]);
                    }
                };
            }
        };
    }
}
