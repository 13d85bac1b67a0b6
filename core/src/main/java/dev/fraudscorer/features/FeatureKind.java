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
    SECONDS_SINCE_PREVIOUS(true),
    /**
     * Seconds from the window's end back to the entity's latest transaction in the window labelled fraudulent; the
     * window's length when there is none. A compromised terminal's frauds run up to the window's end, a stray fraud
     * sits anywhere in it: the rate alone cannot tell the two apart.
     */
    SECONDS_SINCE_LAST_FRAUD(true),
    /**
     * Seconds from the window's end back to the entity's earliest transaction in the window labelled fraudulent; the
     * window's length when there is none. With the latest one it says how long a run of frauds has lasted: a
     * compromised terminal is found and fixed after a while, and payments there are genuine again.
     */
    SECONDS_SINCE_FIRST_FRAUD(true),
    /**
     * Of the entity's transactions in the window from its earliest labelled fraud on, the share labelled fraudulent;
     * 0 when there is none. A compromised terminal's payments are all frauds from then on (1), a stray fraud is
     * followed by genuine ones.
     */
    FRAUD_SHARE_SINCE_FIRST_FRAUD(true);

    private final boolean windowed;

    FeatureKind(boolean windowed) {
        this.windowed = windowed;
    }

    public boolean windowed() {
        return windowed;
    }

    /** True for the kinds that read fraud labels (they need a delay: labels are not known at payment time). */
    public boolean readsLabels() {
        return this == FRAUD_RATE || readsFraudEpisode();
    }

    /** True for the kinds that read when an entity's labelled frauds began and ended. */
    public boolean readsFraudEpisode() {
        return this == SECONDS_SINCE_LAST_FRAUD || this == SECONDS_SINCE_FIRST_FRAUD
                || this == FRAUD_SHARE_SINCE_FIRST_FRAUD;
    }

    /** True for the kinds that compare the transaction with the entity's earlier transactions (itself left out). */
    public boolean comparesWithEarlier() {
        return this == AMOUNT_TO_MEAN || this == AMOUNT_ROBUST_Z || this == SECONDS_SINCE_PREVIOUS;
    }
}
