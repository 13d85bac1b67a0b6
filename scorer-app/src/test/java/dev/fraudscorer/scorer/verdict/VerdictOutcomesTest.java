package dev.fraudscorer.scorer.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.features.EntityHistory;
import dev.fraudscorer.features.PackedEntityStore;
import dev.fraudscorer.features.TxInput;
import dev.fraudscorer.scorer.metrics.ScorerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class VerdictOutcomesTest {

    private static final long DAY = 24L * 3600 * 1000;
    private static final long WINDOW = 7 * DAY;

    private record Scored(String customer, long time, String id, boolean flagged) {
    }

    /**
     * A month of random verdicts and labels (some labels before their verdict, some twice, some for unknown
     * transactions, some transactions scored twice), with a restart from the stored rows half-way: every verdict is counted exactly once, as the
     * outcome its label (or the lack of one within the window) says.
     */
    @Test
    void countsEveryVerdictOnceAcrossARestart() {
        final Random random = new Random(7);
        final PackedEntityStore.InMemoryRows rows = new PackedEntityStore.InMemoryRows();
        final KeyValueStore<Bytes, byte[]> window = windowStore();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final ScorerMetrics metrics = new ScorerMetrics(registry, Clock.systemUTC());
        PackedEntityStore history = packed(rows);
        VerdictOutcomes outcomes = new VerdictOutcomes(history, window, metrics, "fraud", WINDOW);
        final Map<String, Integer> expected = new HashMap<>();
        final Map<String, Boolean> labels = new HashMap<>();
        final List<Scored> scored = new ArrayList<>();
        final long t0 = 1_500_000_000_000L;
        for (int i = 0; i < 20_000; i++) {
            final long t = t0 + i * (30 * DAY / 20_000);
            final String customer = "c" + random.nextInt(300);
            final String id = String.valueOf(i);
            final TxInput tx = new TxInput(id, t, customer, "t", 10);
            final boolean flagged = random.nextInt(20) == 0;
            // A label before its verdict, now and then.
            final boolean early = random.nextInt(50) == 0;
            if (early) {
                labels.put(id, random.nextBoolean());
                outcomes.label(customer, t, id, labels.get(id));
                history.flush();
            }
            EntityHistory.putAndEvict(history, EntityHistory.transaction(customer, tx), 35);
            outcomes.verdict(customer, t, id, 1, flagged);
            if (random.nextInt(40) == 0) {
                outcomes.verdict(customer, t, id, 1, flagged); // scored twice (at-least-once after a crash)
            }
            history.flush();
            scored.add(new Scored(customer, t, id, flagged));
            // Labels a day later for some earlier verdicts; a few twice, a few for transactions never seen.
            if (random.nextInt(10) == 0 && scored.size() > 300) {
                final Scored s = scored.get(scored.size() - 300);
                if (!labels.containsKey(s.id())) {
                    labels.put(s.id(), random.nextInt(3) != 0);
                }
                outcomes.label(s.customer(), s.time(), s.id(), labels.get(s.id()));
                if (random.nextInt(5) == 0) {
                    outcomes.label(s.customer(), s.time(), s.id(), labels.get(s.id()));
                }
                outcomes.label(s.customer(), s.time(), "unknown-" + i, true);
                history.flush();
            }
            if (i % 500 == 0) {
                outcomes.expire();
            }
            if (i == 10_000) {
                // A restart: new instances over what was stored.
                history = packed(rows);
                outcomes = new VerdictOutcomes(history, window, metrics, "fraud", WINDOW);
                final VerdictOutcomes recovering = outcomes;
                rows.forEachEntity(recovering::recover);
            }
        }
        // Forty days on, every window but this last verdict's is closed.
        final String last = "c-last";
        final long end = t0 + 70 * DAY;
        EntityHistory.putAndEvict(history, EntityHistory.transaction(last, new TxInput("end", end, last, "t", 1)), 35);
        outcomes.verdict(last, end, "end", 1, false);
        outcomes.expire();
        for (Scored s : scored) {
            final Boolean fraud = labels.get(s.id());
            final String outcome = fraud != null && fraud ? (s.flagged() ? "tp" : "fn") : (s.flagged() ? "fp" : "tn");
            expected.merge(outcome, 1, Integer::sum);
        }
        final Map<String, Integer> counted = new HashMap<>();
        for (Counter c : registry.find("fraud_label_outcomes").counters()) {
            counted.put(c.getId().getTag("outcome"), (int) c.count());
        }
        assertEquals(expected, counted);
    }

    private static PackedEntityStore packed(PackedEntityStore.InMemoryRows rows) {
        return new PackedEntityStore(rows, 50);
    }

    @SuppressWarnings("deprecation")
    private static KeyValueStore<Bytes, byte[]> windowStore() {
        final KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("w"),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }
}
