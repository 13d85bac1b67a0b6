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
    FRAUD_RATE(true),
    /**
     * The transaction's amount divided by the mean amount of the entity's earlier transactions in the window; -1
     * when there are none (or their mean is 0). How unusual this amount is for this card: a compromised card's
     * frauds are several times its usual amount.
     */
    AMOUNT_TO_MEAN(true),
    /**
     * Robust z-score of the amount against the entity's earlier transactions in the window: (amount - median) /
     * (1.4826 x median absolute deviation); 0 with fewer than 2 earlier transactions or no spread. The median is
     * not pulled up by the frauds themselves the way a mean is.
     */
    AMOUNT_ROBUST_Z(true),
    /** Seconds since the entity's latest earlier transaction in the window; the window's length when there is none. */
    SECONDS_SINCE_PREVIOUS(true);

    private final boolean windowed;

    FeatureKind(boolean windowed) {
        this.windowed = windowed;
    }

    public boolean windowed() {
        return windowed;
    }

    /** True for the kinds that compare the transaction with the entity's earlier transactions (itself left out). */
    public boolean comparesWithEarlier() {
        return this == AMOUNT_TO_MEAN || this == AMOUNT_ROBUST_Z || this == SECONDS_SINCE_PREVIOUS;
    }
}
