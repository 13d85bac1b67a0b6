package dev.fraudscorer.trainer;

import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.features.FeatureSpec;
import dev.fraudscorer.features.OfflineFeatures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The dataset's rows before a cut-off, in engine order, with the features the shared engine computes for each.
 *
 * @param dataSha256 sha256 of the data file, for lineage
 */
record FeatureTable(List<DatasetRow> rows, double[][] features, FeatureSpec spec, String dataSha256) {

    static FeatureTable load(Path data, FeatureSpec spec, LocalDate until, PrintStream progress) throws IOException {
        final long untilMs = millis(until);
        final List<DatasetRow> rows = new ArrayList<>();
        final long start = System.nanoTime();
        progress.printf("reading %s (rows before %s)%n", data, until);
        final String sha = DatasetReader.read(data, row -> {
            if (row.eventTimeMs() < untilMs) {
                rows.add(row);
            }
        });
        rows.sort(OfflineFeatures.ENGINE_ORDER);
        progress.printf("read %,d rows in %.1f s; computing %d features%n", rows.size(),
                seconds(start), spec.size());
        final long featuresStart = System.nanoTime();
        final double[][] features = OfflineFeatures.compute(rows, spec, FeatureSpec.HANDBOOK_DELAY_DAYS,
                done -> progress.printf("  features %,d / %,d rows (%.0f%%)%n", done, rows.size(),
                        100.0 * done / rows.size()));
        progress.printf("features done in %.1f s%n", seconds(featuresStart));
        return new FeatureTable(rows, features, spec, sha);
    }

    /** The same rows with only {@code subset}'s columns (every one of them must be in this table's spec). */
    FeatureTable project(FeatureSpec subset) {
        final int[] columns = subset.names().stream().mapToInt(n -> {
            final int c = spec.names().indexOf(n);
            if (c < 0) {
                throw new IllegalArgumentException("feature " + n + " is not in the table");
            }
            return c;
        }).toArray();
        final double[][] projected = new double[features.length][];
        for (int i = 0; i < features.length; i++) {
            final double[] row = new double[columns.length];
            for (int c = 0; c < columns.length; c++) {
                row[c] = features[i][columns[c]];
            }
            projected[i] = row;
        }
        return new FeatureTable(rows, projected, subset, dataSha256);
    }

    /** Indices of rows with event time in {@code [from, to)}. Rows are in time order, so this is a range. */
    List<Integer> between(LocalDate from, LocalDate to) {
        final long a = millis(from);
        final long b = millis(to);
        final List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            final long t = rows.get(i).eventTimeMs();
            if (t >= a && t < b) {
                out.add(i);
            }
        }
        return out;
    }

    static long millis(LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
