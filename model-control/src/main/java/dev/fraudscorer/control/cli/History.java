package dev.fraudscorer.control.cli;

import dev.fraudscorer.control.ControlState;
import dev.fraudscorer.schema.ModelControl;
import dev.fraudscorer.topics.Topics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code model-control history}: every control record of the model still on the topic, oldest first: generation,
 * what changed, who, why, when, which key signed it, and whether scorers applied it. Compaction keeps only the
 * latest record per model once it runs, so this is the topic's memory, not an audit log; an audit trail that must
 * outlive compaction belongs in a non-compacted copy of the topic.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Print every model-control record of the model still on the topic: generation, what changed,"
                + " who, why, when, which key signed it.")
final class History implements Callable<Integer> {

    @Mixin
    ModelControlMain.Connection connection;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final List<ModelControl> records = new ArrayList<>();
        final var values = connection.<ModelControl>values(ModelControl.getClassSchema()).deserializer();
        for (var r : connection.records(Topics.MODEL_CONTROL.name())) {
            if (r.key() != null && r.value() != null
                    && connection.modelName.equals(dev.fraudscorer.topics.ControlKeys.modelOf(r.key()))) {
                records.add(values.deserialize(r.topic(), r.value()));
            }
        }
        if (records.isEmpty()) {
            out.printf("%s: no control records on %s%n", connection.modelName, Topics.MODEL_CONTROL.name());
            return 0;
        }
        ControlState state = ControlState.empty(connection.modelName);
        ModelControl applied = null;
        for (ModelControl r : records) {
            final boolean applies = state.accepts(dev.fraudscorer.topics.ControlRecords.content(r));
            out.println(line(applied, r, applies));
            if (applies) {
                state = state.apply(dev.fraudscorer.topics.ControlRecords.content(r));
                applied = r;
            }
        }
        return 0;
    }

    /** One record as a line; {@code before} is the record in force before it (null for the first). */
    static String line(ModelControl before, ModelControl r, boolean applies) {
        return String.format("generation %d  %s  by %s  signed %s  %s  (%s)%s", r.getGeneration(), r.getIssuedAt(),
                r.getIssuedBy(), r.getSignedBy() == null ? "by nobody" : "by key " + r.getSignedBy(),
                String.join(", ", changes(before, r)), r.getReason(),
                applies ? "" : "  IGNORED by scorers: generation not above " + before.getGeneration());
    }

    static List<String> changes(ModelControl before, ModelControl r) {
        final List<String> out = new ArrayList<>();
        final Integer wasActive = before == null ? null : before.getActiveVersion();
        if (!Objects.equals(wasActive, r.getActiveVersion())) {
            out.add("active " + or(wasActive) + " -> " + r.getActiveVersion());
        }
        final String wasCanary = before == null ? "none" : canary(before);
        if (!wasCanary.equals(canary(r))) {
            out.add("canary " + wasCanary + " -> " + canary(r));
        }
        final Integer wasShadow = before == null ? null : before.getShadowVersion();
        if (!Objects.equals(wasShadow, r.getShadowVersion())) {
            out.add("shadow " + or(wasShadow) + " -> " + or(r.getShadowVersion()));
        }
        final List<Integer> wasRolledBack = before == null ? List.of() : before.getRolledBack();
        if (!Objects.equals(wasRolledBack, r.getRolledBack())) {
            out.add("rolled back " + wasRolledBack + " -> " + r.getRolledBack());
        }
        if (out.isEmpty()) {
            out.add("no change");
        }
        return out;
    }

    private static String canary(ModelControl r) {
        return r.getCanaryVersion() == null ? "none" : r.getCanaryVersion() + " on " + r.getCanaryPercent() + "%";
    }

    private static String or(Integer v) {
        return v == null ? "none" : String.valueOf(v);
    }
}
