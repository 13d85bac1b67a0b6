package dev.fraudscorer.features;

/** What a feature computes. The stateless kinds read the transaction alone; the others aggregate an entity's past. */
public enum FeatureKind {
    /** The transaction's amount. */
    AMOUNT(false),
    /** 1 if the event time (UTC) is a Saturday or Sunday. */
    WEEKEND(false),
    /** 1 if the event time's hour (UTC) is at most 6 (00:00-06:59). */
    NIGHT(false),
    /** Number of the entity's transactions in the window. */
    COUNT(true),
    /** Mean amount of the entity's transactions in the window (0 when there are none). */
    MEAN_AMOUNT(true),
    /** Share of the entity's transactions in the window labelled fraudulent (0 when there are none). */
    FRAUD_RATE(true);

    private final boolean windowed;

    FeatureKind(boolean windowed) {
        this.windowed = windowed;
    }

    public boolean windowed() {
        return windowed;
    }
}
