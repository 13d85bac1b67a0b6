package dev.fraudscorer.features;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * The one implementation of feature extraction, used by the trainer on the CSV and by the scorer on the stream.
 * Event time is read as UTC.
 */
public final class FeatureExtractor {

    public static final String TX_AMOUNT = "TX_AMOUNT";
    public static final String TX_DURING_WEEKEND = "TX_DURING_WEEKEND";
    public static final String TX_DURING_NIGHT = "TX_DURING_NIGHT";
    /** Night is 00:00-06:59. */
    private static final int LAST_NIGHT_HOUR = 6;

    static final List<String> SUPPORTED = List.of(TX_AMOUNT, TX_DURING_WEEKEND, TX_DURING_NIGHT);

    private final FeatureSpec spec;

    public FeatureExtractor(FeatureSpec spec) {
        this.spec = spec;
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** @return the spec's features for {@code tx}, in spec order */
    public double[] extract(TxInput tx) {
        final double[] out = new double[spec.size()];
        final ZonedDateTime time = Instant.ofEpochMilli(tx.eventTimeMs()).atZone(ZoneOffset.UTC);
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (spec.names().get(i)) {
                case TX_AMOUNT -> tx.amount();
                case TX_DURING_WEEKEND -> isWeekend(time.getDayOfWeek()) ? 1 : 0;
                case TX_DURING_NIGHT -> time.getHour() <= LAST_NIGHT_HOUR ? 1 : 0;
                default -> throw new IllegalStateException("unreachable: spec was validated");
            };
        }
        return out;
    }

    private static boolean isWeekend(DayOfWeek day) {
        return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY;
    }
}
