package dev.fraudscorer.trainer;

import dev.fraudscorer.features.Entity;
import dev.fraudscorer.features.FeatureDef;
import dev.fraudscorer.features.FeatureKind;
import dev.fraudscorer.features.FeatureSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidate feature groups beyond the handbook's 15, each aimed at a fraud pattern the 15 do not see directly. A model
 * declares the handbook's features plus any of these; {@code trainer-job ablation} measures each group's gain in
 * validation AP, and the groups kept in {@link #RECOMMENDED} are the ones that gained there (never chosen on test
 * folds).
 */
final class FeatureGroups {

    /** Groups chosen by the ablation on the validation folds (README, "Better than the handbook"). */
    static final List<String> RECOMMENDED = List.of("amount-vs-card", "terminal-fraud-episode");

    private static final Map<String, List<FeatureDef>> GROUPS = new LinkedHashMap<>();

    static {
        // Compromised cards: a third of the card's payments become ~5x its usual amount. The card's mean amount alone
        // does not say how unusual this one is.
        GROUPS.put("amount-vs-card", List.of(
                FeatureDef.windowed("CUSTOMER_ID_AMOUNT_TO_MEAN_7DAY_WINDOW", FeatureKind.AMOUNT_TO_MEAN,
                        Entity.CUSTOMER_ID, 7, 0),
                FeatureDef.windowed("CUSTOMER_ID_AMOUNT_TO_MEAN_30DAY_WINDOW", FeatureKind.AMOUNT_TO_MEAN,
                        Entity.CUSTOMER_ID, 30, 0),
                FeatureDef.windowed("CUSTOMER_ID_AMOUNT_ROBUST_Z_30DAY_WINDOW", FeatureKind.AMOUNT_ROBUST_Z,
                        Entity.CUSTOMER_ID, 30, 0)));
        // Bursts on a card: time since its previous payment.
        GROUPS.put("card-recency", List.of(
                FeatureDef.windowed("CUSTOMER_ID_SECONDS_SINCE_PREVIOUS_30DAY_WINDOW",
                        FeatureKind.SECONDS_SINCE_PREVIOUS, Entity.CUSTOMER_ID, 30, 0)));
        // Compromised terminals: every payment there is fraud for weeks, so their labelled frauds run up to the
        // window's end (a week back), where a stray fraud sits anywhere in it; and a run of frauds that began long
        // ago is likely over (the terminal was found), which the rate, a week late, cannot see.
        GROUPS.put("terminal-fraud-episode", List.of(
                FeatureDef.windowed("TERMINAL_ID_SECONDS_SINCE_LAST_FRAUD_30DAY_WINDOW",
                        FeatureKind.SECONDS_SINCE_LAST_FRAUD, Entity.TERMINAL_ID, 30, FeatureSpec.HANDBOOK_DELAY_DAYS),
                FeatureDef.windowed("TERMINAL_ID_SECONDS_SINCE_FIRST_FRAUD_30DAY_WINDOW",
                        FeatureKind.SECONDS_SINCE_FIRST_FRAUD, Entity.TERMINAL_ID, 30, FeatureSpec.HANDBOOK_DELAY_DAYS),
                FeatureDef.windowed("TERMINAL_ID_FRAUD_SHARE_SINCE_FIRST_FRAUD_30DAY_WINDOW",
                        FeatureKind.FRAUD_SHARE_SINCE_FIRST_FRAUD, Entity.TERMINAL_ID, 30,
                        FeatureSpec.HANDBOOK_DELAY_DAYS)));
        // A terminal's usual amounts (a week old, as terminal history is online).
        GROUPS.put("amount-vs-terminal", List.of(
                FeatureDef.windowed("TERMINAL_ID_AMOUNT_TO_MEAN_30DAY_WINDOW", FeatureKind.AMOUNT_TO_MEAN,
                        Entity.TERMINAL_ID, 30, FeatureSpec.HANDBOOK_DELAY_DAYS)));
    }

    private FeatureGroups() {
    }

    static List<String> names() {
        return List.copyOf(GROUPS.keySet());
    }

    /**
     * The handbook's features plus {@code groups}: group names, {@code recommended} or {@code all}; empty or
     * {@code handbook} alone for the 15.
     */
    static FeatureSpec spec(List<String> groups) {
        final List<FeatureDef> defs = new ArrayList<>(FeatureSpec.handbook().features());
        for (String g : expand(groups)) {
            defs.addAll(GROUPS.get(g));
        }
        return new FeatureSpec(defs);
    }

    static List<String> expand(List<String> groups) {
        final List<String> out = new ArrayList<>();
        for (String g : groups) {
            final List<String> named = switch (g) {
                case "handbook" -> List.of();
                case "all" -> names();
                case "recommended" -> RECOMMENDED;
                default -> {
                    if (!GROUPS.containsKey(g)) {
                        throw new IllegalArgumentException("unknown feature group '" + g + "'; choose from handbook,"
                                + " recommended, all, " + String.join(", ", names()));
                    }
                    yield List.of(g);
                }
            };
            named.stream().filter(n -> !out.contains(n)).forEach(out::add);
        }
        return out;
    }
}
