package dev.fraudscorer.eval;

import dev.fraudscorer.data.DatasetRow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The evaluation of the Fraud Detection Handbook (Le Borgne et al., ch. 3.x and 5.x): which transactions of a test
 * window are scored, and ROC-AUC, average precision and Card Precision@k on them. Used by the trainer on its own
 * predictions and by anyone recomputing the figure from the scorer's verdicts, so both count the same thing.
 */
public final class HandbookEvaluation {

    public static final int TOP_K = 100;

    /** One scored transaction of a test window. */
    public record Scored(String customerId, long eventTimeMs, double score, boolean fraud) {
    }

    /** @param cardPrecisionAtK mean over test days of Card Precision@{@link #TOP_K} */
    public record Result(double rocAuc, double averagePrecision, double cardPrecisionAtK, long rows, long frauds) {
    }

    private HandbookEvaluation() {
    }

    public static LocalDate dayOf(long eventTimeMs) {
        return Instant.ofEpochMilli(eventTimeMs).atZone(ZoneOffset.UTC).toLocalDate();
    }

    /**
     * The indices of {@code rows} the handbook scores for the fold that trains on {@code [trainFrom, +trainDays)}:
     * the test days {@code trainFrom + trainDays + delayDays + j}, j &lt; testDays, without the customers already known
     * to be compromised on that day — a fraud in the training window, or on any day up to the one before
     * {@code trainFrom + trainDays + j} (labels of the delay period arrive as it goes by).
     */
    public static List<Integer> testSet(List<DatasetRow> rows, LocalDate trainFrom, int trainDays, int delayDays,
                                        int testDays) {
        final Map<LocalDate, Set<String>> fraudCustomersByDay = new HashMap<>();
        final Map<LocalDate, List<Integer>> rowsByDay = new TreeMap<>();
        final LocalDate trainTo = trainFrom.plusDays(trainDays);
        final LocalDate testFrom = trainTo.plusDays(delayDays);
        final LocalDate testTo = testFrom.plusDays(testDays);
        for (int i = 0; i < rows.size(); i++) {
            final DatasetRow row = rows.get(i);
            final LocalDate day = dayOf(row.eventTimeMs());
            if (row.fraud() && !day.isBefore(trainFrom) && day.isBefore(testTo)) {
                fraudCustomersByDay.computeIfAbsent(day, d -> new HashSet<>()).add(row.customerId());
            }
            if (!day.isBefore(testFrom) && day.isBefore(testTo)) {
                rowsByDay.computeIfAbsent(day, d -> new ArrayList<>()).add(i);
            }
        }
        final Set<String> known = new HashSet<>();
        for (LocalDate d = trainFrom; d.isBefore(trainTo); d = d.plusDays(1)) {
            known.addAll(fraudCustomersByDay.getOrDefault(d, Set.of()));
        }
        final List<Integer> out = new ArrayList<>();
        for (int j = 0; j < testDays; j++) {
            known.addAll(fraudCustomersByDay.getOrDefault(trainTo.plusDays(j - 1L), Set.of()));
            for (int i : rowsByDay.getOrDefault(testFrom.plusDays(j), List.of())) {
                if (!known.contains(rows.get(i).customerId())) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    public static Result evaluate(List<Scored> test) {
        final double[] scores = test.stream().mapToDouble(Scored::score).toArray();
        final boolean[] labels = new boolean[test.size()];
        long frauds = 0;
        for (int i = 0; i < labels.length; i++) {
            labels[i] = test.get(i).fraud();
            frauds += labels[i] ? 1 : 0;
        }
        return new Result(RankingMetrics.rocAuc(scores, labels), RankingMetrics.averagePrecision(scores, labels),
                cardPrecisionAtK(test, TOP_K), test.size(), frauds);
    }

    /**
     * Per test day: each card's highest score and whether it had a fraud that day; the {@code k} highest-scored
     * cards; the share of them that are fraudulent. Cards found fraudulent in an earlier day's top k are left out of
     * later days (they would be blocked). The mean over days.
     */
    public static double cardPrecisionAtK(List<Scored> test, int k) {
        final Map<LocalDate, Map<String, double[]>> days = new TreeMap<>();
        for (Scored s : test) {
            final double[] card = days.computeIfAbsent(dayOf(s.eventTimeMs()), d -> new TreeMap<>())
                    .computeIfAbsent(s.customerId(), c -> new double[] {Double.NEGATIVE_INFINITY, 0});
            card[0] = Math.max(card[0], s.score());
            card[1] = Math.max(card[1], s.fraud() ? 1 : 0);
        }
        final Set<String> detected = new HashSet<>();
        double sum = 0;
        for (Map<String, double[]> cards : days.values()) {
            final List<Map.Entry<String, double[]>> ranked = new ArrayList<>();
            for (Map.Entry<String, double[]> e : cards.entrySet()) {
                if (!detected.contains(e.getKey())) {
                    ranked.add(e);
                }
            }
            // Stable sort over cards in id order: ties keep id order, so the figure is reproducible.
            ranked.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0]).reversed());
            int hits = 0;
            for (Map.Entry<String, double[]> e : ranked.subList(0, Math.min(k, ranked.size()))) {
                if (e.getValue()[1] > 0) {
                    hits++;
                    detected.add(e.getKey());
                }
            }
            sum += (double) hits / k;
        }
        return days.isEmpty() ? Double.NaN : sum / days.size();
    }
}
