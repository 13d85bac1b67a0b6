package dev.fraudscorer.topics;

import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.schema.ModelVersion;
import dev.fraudscorer.schema.ScorerStatus;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import java.util.List;
import java.util.Map;

/**
 * The topic catalogue: every topic of the system, declared once and shared by the apps, the tests and the
 * apply step. Immutable.
 */
public final class Topics {

    private static final long DAY_MS = 24L * 3600 * 1000;
    private static final String RETAIN_FOREVER = "-1";
    /** Model bundles travel as single records; 64 MiB leaves room for large ensembles. */
    public static final int MAX_MODEL_RECORD_BYTES = 64 * 1024 * 1024;

    public static final TopicSpec TRANSACTIONS = new TopicSpec("transactions", 6,
            Map.of("cleanup.policy", "delete", "retention.ms", days(7)),
            Transaction.getClassSchema(), "card payments in, keyed by customer id");
    public static final TopicSpec FRAUD_LABELS = new TopicSpec("fraud-labels", 6,
            Map.of("cleanup.policy", "delete", "retention.ms", days(90)),
            FraudLabel.getClassSchema(), "investigation outcomes, days after the payment, keyed by terminal id");
    public static final TopicSpec VERDICTS = new TopicSpec("fraud-verdicts", 6,
            Map.of("cleanup.policy", "delete", "retention.ms", days(30)),
            Verdict.getClassSchema(), "one verdict per valid transaction, keyed like the input; the audit trail");
    public static final TopicSpec DEAD_LETTERS = new TopicSpec("transactions-dlq", 3,
            Map.of("cleanup.policy", "delete", "retention.ms", days(30)),
            null, "input that could not be scored: original key, value and headers plus dlq.* reason headers");
    public static final TopicSpec MODEL_REGISTRY = new TopicSpec("model-registry", 1,
            Map.of("cleanup.policy", "compact", "retention.ms", RETAIN_FOREVER,
                    "max.message.bytes", String.valueOf(MAX_MODEL_RECORD_BYTES)),
            ModelVersion.getClassSchema(), "immutable published model versions, keyed <model>/<version>");
    public static final TopicSpec MODEL_CONTROL = new TopicSpec("model-control", 1,
            Map.of("cleanup.policy", "compact", "retention.ms", RETAIN_FOREVER, "min.compaction.lag.ms", "0"),
            ModelControl.getClassSchema(), "desired serving state per model name; the latest record wins");
    public static final TopicSpec SCORER_STATUS = new TopicSpec("scorer-status", 1,
            Map.of("cleanup.policy", "compact", "retention.ms", days(7)),
            ScorerStatus.getClassSchema(), "what each scorer instance reports it serves, keyed by instance id");

    /**
     * Terminal history for the scorer's feature engine: every scored transaction and every label, keyed by
     * (terminal, time, transaction), read back by every instance as a global store. Records carry wall-clock
     * timestamps, so retention counts from when they were written, also for replayed history.
     */
    public static final TopicSpec TERMINAL_EVENTS = new TopicSpec("scorer-terminal-events", 6,
            Map.of("cleanup.policy", "delete", "retention.ms", days(45)),
            null, "terminal history entries (feature-engine key layout), written and read by the scorer");

    private static final List<TopicSpec> ALL = List.of(TRANSACTIONS, FRAUD_LABELS, VERDICTS, DEAD_LETTERS,
            MODEL_REGISTRY, MODEL_CONTROL, SCORER_STATUS, TERMINAL_EVENTS);

    private Topics() {
    }

    public static List<TopicSpec> all() {
        return ALL;
    }

    private static String days(int days) {
        return String.valueOf(days * DAY_MS);
    }
}
