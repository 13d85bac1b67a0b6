package dev.fraudscorer.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quantiles of one Prometheus histogram read from a {@code /metrics} page, estimated as PromQL's
 * {@code histogram_quantile} does: linear interpolation inside the bucket where the rank falls. The demo prints the
 * scorer's own latency histogram with it, beside what its reader measured.
 */
final class PrometheusHistogram {

    private record Bucket(double le, double count) {
    }

    private final List<Bucket> buckets;

    private PrometheusHistogram(List<Bucket> buckets) {
        this.buckets = buckets;
    }

    /** The {@code <name>_bucket} series of {@code page} (all label sets summed per bound), or empty when absent. */
    static PrometheusHistogram parse(String page, String name) {
        final Pattern line = Pattern.compile("^" + Pattern.quote(name) + "_bucket\\{(.*)\\} (\\S+)$");
        final Pattern le = Pattern.compile("le=\"([^\"]+)\"");
        final java.util.TreeMap<Double, Double> byBound = new java.util.TreeMap<>();
        page.lines().forEach(l -> {
            final Matcher m = line.matcher(l);
            if (m.matches()) {
                final Matcher bound = le.matcher(m.group(1));
                if (bound.find()) {
                    final double upper = bound.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY
                            : Double.parseDouble(bound.group(1));
                    byBound.merge(upper, Double.parseDouble(m.group(2)), Double::sum);
                }
            }
        });
        final List<Bucket> out = new ArrayList<>();
        byBound.forEach((upper, count) -> out.add(new Bucket(upper, count)));
        return new PrometheusHistogram(out);
    }

    double count() {
        return buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1).count();
    }

    /** The q-quantile; NaN without observations; the largest finite bound when it falls in the +Inf bucket. */
    double quantile(double q) {
        final double total = count();
        if (total == 0) {
            return Double.NaN;
        }
        final double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Bucket b : buckets) {
            if (b.count() >= rank) {
                if (Double.isInfinite(b.le())) {
                    return lower;
                }
                final double inBucket = b.count() - below;
                return inBucket == 0 ? b.le() : lower + (b.le() - lower) * (rank - below) / inBucket;
            }
            lower = b.le();
            below = b.count();
        }
        return lower;
    }
}
