package dev.fraudscorer.scorer.verdict;

import dev.fraudscorer.features.PackedEntityStore;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Each task's customer history and the outcome join inside it, shared by the task's two writers of the customer
 * store: the scoring processor, which opens a fresh one whenever it is initialised (a revived or migrated task's
 * store may have been rewound underneath), and the label processor, which looks it up per record. A task
 * initialises all its processors before it processes a record, so the label processor always finds the current
 * one. One per topology; tasks of different stream threads use different keys.
 */
public final class TaskCustomers {

    /** One task's customers: the packed history the engine reads and the outcome join that rides on it. */
    public record Customers(PackedEntityStore history, VerdictOutcomes outcomes) {
    }

    private final ConcurrentHashMap<TaskId, Customers> tasks = new ConcurrentHashMap<>();

    public void open(TaskId task, Customers customers) {
        tasks.put(task, customers);
    }

    public Customers of(TaskId task) {
        final Customers customers = tasks.get(task);
        if (customers == null) {
            throw new IllegalStateException("task " + task + " has no open customer state: its scoring processor"
                    + " was not initialised");
        }
        return customers;
    }

    public void close(TaskId task, Customers customers) {
        tasks.remove(task, customers);
    }
}
