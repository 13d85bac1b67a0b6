package dev.fraudscorer.infra.verify;

import dev.fraudscorer.bundle.BundleSigning;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.data.DirectoryTree;
import dev.fraudscorer.eval.HandbookEvaluation;
import dev.fraudscorer.features.FeatureSpec;
import dev.fraudscorer.features.OfflineFeatures;
import dev.fraudscorer.infra.ChildProcess;
import dev.fraudscorer.infra.LocalStack;
import dev.fraudscorer.infra.ReplayRecords;
import dev.fraudscorer.score.TreeEnsemble;
import dev.fraudscorer.topics.Access;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;

/**
 * The crash verifier, over this project's contract: every valid transaction gets exactly one verdict, every bad
 * one exactly one dead letter, each verdict's features equal the trainer's offline features for that transaction,
 * and no transaction is left open on the brokers. It starts the local cluster and scorer instances as separate OS
 * processes, replays the real dataset with labels flowing, injects faults on a schedule while the load runs, waits
 * until everything sent has come out, stops the instances, and checks. Kafka's own system tests do the same for
 * Kafka Streams (EosTestDriver); this is ours.
 */
public final class Verifier {

    /** How to run each program: in production the module jars; in the suite the test JVM's classpath. */
    public record Commands(List<String> scorer, Map<String, String> scorerEnvironment, List<String> modelControl,
                           List<String> trainer) {
    }

    /** What one run does. */
    public record Settings(Path dataDir, Path data, int brokers, int instances, int transactions, int rate,
                           LocalDate from, String faults, Duration restartDelay, Duration brokerDown,
                           Path bundle, int badEvery, int fuzz, int streamThreads, List<String> scorerSettings) {
    }

    /** The outcome: the report's numbers and whether every check held. */
    public record Result(boolean passed, long missing, long duplicated, long openTransactions, long featureDiffs,
                         List<Duration> recoveries, List<Duration> readyAfterRestart, long sent) {
    }

    private final Settings s;
    private final Commands commands;
    private final PrintStream out;

    public Verifier(Settings settings, Commands commands, PrintStream out) {
        this.s = settings;
        this.commands = commands;
        this.out = out;
    }

    public Result run() throws Exception {
        final FaultPlan plan = FaultPlan.parse(s.faults(), s.brokerDown());
        if (plan.has(FaultPlan.Kind.BROKER_KILL9) && s.brokers() < 3) {
            throw new IllegalArgumentException("--faults broker-kill9 needs --brokers 3: with fewer, a broker loss"
                    + " is an outage, not a fault the cluster rides through");
        }
        final int initial = FaultPlan.initialInstances(s.faults(), s.instances());
        if (Files.exists(s.dataDir())) {
            DirectoryTree.delete(s.dataDir());
        }
        Files.createDirectories(s.dataDir());
        final long t0 = System.nanoTime();
        step("reading " + s.transactions() + " transactions from " + s.from() + " in " + s.data());
        final List<DatasetRow> rows = rows();
        step("starting " + s.brokers() + " broker(s) and the registry in " + s.dataDir());
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(s.dataDir().resolve("stack"), 0, 0, 0, 0,
                s.brokers(), true))) {
            step(String.format("stack up in %.1f s: %s", (System.nanoTime() - t0) / 1e9, stack.bootstrapServers()));
            final Path bundleDir = s.bundle() != null ? s.bundle() : train();
            final ModelBundle bundle = ModelBundle.readFrom(bundleDir);
            final Path keys = s.dataDir().resolve("keys");
            Files.createDirectories(keys);
            BundleSigning.write(BundleSigning.generate(), keys.resolve("trainer"));
            modelControl(stack, "publish", bundleDir.toString(), "--signing-key", keys.resolve("trainer.key").toString());
            modelControl(stack, "promote", "1", "--reason", "verifier");
            if (!plan.swapEvery().isZero()) {
                // Swaps alternate between this version and a copy published as version 2 (same model, one manifest
                // entry added): every swap goes through the whole control path, and every score stays checkable
                // against one offline model.
                final Path copy = s.dataDir().resolve("models/fraud-2-same-model");
                final var m = bundle.manifest();
                final Map<String, String> versions = new TreeMap<>(m.versions() == null ? Map.of() : m.versions());
                versions.put("verifier-copy", "model-swap");
                new ModelBundle(new dev.fraudscorer.bundle.Manifest(m.formatVersion(), m.modelName(), m.featureSpec(),
                        m.modelFile(), m.modelSha256(), m.objective(), m.params(), m.rounds(), m.training(),
                        m.metrics(), m.protocol(), m.thresholds(), m.referenceRows(), versions, m.screening()),
                        bundle.model()).writeTo(copy);
                modelControl(stack, "publish", copy.toString(), "--signing-key", keys.resolve("trainer.key").toString());
            }
            final FeatureSpec spec = bundle.manifest().featureSpec();
            step("offline features for " + rows.size() + " transactions (" + spec.size() + " features)");
            final double[][] offline = OfflineFeatures.compute(rows, spec, FeatureSpec.HANDBOOK_DELAY_DAYS, n -> { });
            final Map<String, Integer> rowOfId = new HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                rowOfId.put(rows.get(i).transactionId(), i);
            }
            final List<String> scorerSettings = new ArrayList<>(List.of(
                    "bootstrap.servers=" + stack.bootstrapServers(), "registry.url=" + stack.registryUrl(),
                    "model.trusted.keys=" + keys.resolve("trainer.pub"),
                    "kafka.client.config=" + stack.clientConfigFile(Access.Role.SCORER),
                    "streams.num.stream.threads=" + s.streamThreads()));
            scorerSettings.addAll(s.scorerSettings());
            try (ScorerFleet fleet = new ScorerFleet(commands.scorer(), commands.scorerEnvironment(), scorerSettings,
                    s.dataDir().resolve("scorers"));
                 VerdictLedger ledger = new VerdictLedger(stack.clientConfig(Access.Role.AUDITOR), stack.registryUrl(),
                         new VerdictLedger.Expected(rowOfId, spec.names(), offline))) {
                return verify(stack, fleet, ledger, plan, initial, rows, bundle, offline);
            }
        }
    }

    private Result verify(LocalStack stack, ScorerFleet fleet, VerdictLedger ledger, FaultPlan plan, int initial,
                          List<DatasetRow> rows, ModelBundle bundle, double[][] offline) throws Exception {
        step("starting " + initial + " scorer instance(s), each its own process");
        for (int i = 0; i < initial; i++) {
            fleet.start(i);
        }
        for (int i = 0; i < initial; i++) {
            fleet.awaitReady(i, Duration.ofMinutes(3));
        }
        final Map<Integer, String> mallocs = new TreeMap<>();
        for (int i = 0; i < initial; i++) {
            mallocs.put(i, dev.fraudscorer.infra.ScorerMalloc.loadedIn(fleet.pid(i)));
        }
        step("scorer malloc, from each process's /proc/<pid>/maps: " + mallocs);
        final Map<Integer, long[]> memoryBefore = memory(fleet);
        ledger.start();
        final ReplayLoad load = new ReplayLoad(stack.clientConfig(Access.Role.PRODUCER), stack.registryUrl(), rows, s.rate(),
                s.badEvery(), s.fuzz());
        step(String.format("replaying at %,d/s (%.0f s), faults: %s", s.rate(), rows.size() / (double) s.rate(),
                plan.steps().isEmpty() ? "none" : plan.steps()));
        load.start();
        final MemorySampler memory = MemorySampler.start(fleet);
        final ModelSwaps swaps = plan.swapEvery().isZero() ? null
                : ModelSwaps.start(plan.swapEvery(), args -> modelControl(stack, args));
        final ExecutorService background = Executors.newCachedThreadPool();
        final List<Future<?>> pending = new ArrayList<>();
        final List<Duration> readyAfterRestart = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        final java.util.Set<Integer> restarting = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int next = 0;
        int kills = 0;
        int brokerKills = 0;
        int nextIndex = initial;
        while (!load.done || next < plan.steps().size()) {
            if (next < plan.steps().size() && load.progress() >= plan.steps().get(next).atFraction()) {
                final FaultPlan.Step step = plan.steps().get(next++);
                final long at = System.currentTimeMillis();
                switch (step.kind()) {
                    case SCORER_KILL9 -> {
                        // Only an instance that is up and ready: killing one still restarting from the last kill
                        // measures nothing new. If there is none, try again shortly.
                        final List<Integer> up = fleet.running().stream().filter(i -> !restarting.contains(i)).toList();
                        if (up.isEmpty()) {
                            next--;
                            Thread.sleep(200);
                            continue;
                        }
                        final int victim = up.get(kills++ % up.size());
                        restarting.add(victim);
                        fleet.kill9(victim);
                        ledger.probe("scorer " + victim + " kill -9", at);
                        event(events, "kill -9 scorer " + victim + "; same command again in " + s.restartDelay().toSeconds() + " s");
                        pending.add(background.submit(() -> {
                            try {
                                Thread.sleep(s.restartDelay().toMillis());
                                fleet.start(victim);
                                final Duration ready = fleet.awaitReady(victim, Duration.ofMinutes(3));
                                readyAfterRestart.add(ready);
                                event(events, String.format("scorer %d restarted: ready %.1f s after its start", victim,
                                        ready.toMillis() / 1e3));
                                return null;
                            } finally {
                                restarting.remove(victim);
                            }
                        }));
                    }
                    case BROKER_KILL9 -> {
                        final int broker = 1 + brokerKills++ % (stack.brokerCount() - 1);
                        stack.killBroker(broker);
                        ledger.probe("broker " + (broker + 1) + " kill -9", at);
                        event(events, "kill -9 broker " + (broker + 1) + "; restart in " + step.down().toSeconds() + " s");
                        pending.add(background.submit(() -> {
                            Thread.sleep(step.down().toMillis());
                            stack.restartBroker(broker);
                            event(events, "broker " + (broker + 1) + " restarted");
                            return null;
                        }));
                    }
                    case SCALE -> {
                        final List<Integer> up = fleet.running();
                        if (step.instances() > up.size()) {
                            final List<Integer> added = new ArrayList<>();
                            for (int i = up.size(); i < step.instances(); i++) {
                                added.add(nextIndex);
                                fleet.start(nextIndex++);
                            }
                            event(events, "scale out to " + step.instances() + ": started " + added);
                        } else {
                            final List<Integer> stopped = up.subList(step.instances(), up.size());
                            for (int i : stopped) {
                                final Duration took = fleet.stop(i);
                                event(events, String.format("scale in: scorer %d stopped (SIGTERM) in %.1f s", i,
                                        took.toMillis() / 1e3));
                            }
                        }
                        ledger.probe("scale to " + step.instances(), at);
                    }
                    case REGISTRY_DOWN -> {
                        stack.stopRegistry();
                        event(events, "registry stopped for " + step.down().toSeconds() + " s");
                        pending.add(background.submit(() -> {
                            Thread.sleep(step.down().toMillis());
                            stack.restartRegistry();
                            event(events, "registry restarted");
                            return null;
                        }));
                    }
                }
            }
            ledger.requireHealthy();
            Thread.sleep(20);
        }
        load.join();
        if (swaps != null) {
            swaps.close();
        }
        if (load.failure != null) {
            throw new IllegalStateException("the load failed: " + load.failure, load.failure);
        }
        for (Future<?> f : pending) {
            f.get(5, TimeUnit.MINUTES);
        }
        background.shutdown();
        final long expectedOut = rows.size() + load.badIds.size() + load.fuzzIds.size() - load.failed.size();
        step(String.format("sent %,d transactions, %,d bad records, %,d mutated records, %,d fraud labels; waiting"
                + " until every input has come out", load.sent, load.badIds.size(), load.fuzzIds.size(), load.labels));
        awaitOutputs(ledger, expectedOut);
        final Map<Integer, long[]> memoryAfter = memory(fleet);
        memory.close();
        final Map<Integer, Duration> stops = new TreeMap<>();
        for (int i : fleet.running()) {
            stops.put(i, fleet.stop(i));
        }
        final List<String> open = openTransactions(stack);
        final VerdictLedger.Counts committed = VerdictLedger.count(stack.clientConfig(Access.Role.AUDITOR), "read_committed");
        final VerdictLedger.Counts uncommitted = VerdictLedger.count(stack.clientConfig(Access.Role.AUDITOR), "read_uncommitted");
        return report(rows, load, ledger, committed, uncommitted, open, events, readyAfterRestart, memoryBefore,
                memoryAfter, stops, bundle, offline, fleet.leftRunning(), new Soak(memory, swaps));
    }

    private void awaitOutputs(VerdictLedger ledger, long expected) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (ledger.received() < expected) {
            ledger.requireHealthy();
            if (ledger.received() != last) {
                last = ledger.received();
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(90)) {
                step("no new output for 90 s; checking what there is");
                return;
            }
            Thread.sleep(200);
        }
        Thread.sleep(2_000); // anything doubled would arrive now
    }

    private Result report(List<DatasetRow> rows, ReplayLoad load, VerdictLedger ledger, VerdictLedger.Counts committed,
                          VerdictLedger.Counts uncommitted, List<String> open, ConcurrentLinkedQueue<String> events,
                          List<Duration> readyAfterRestart, Map<Integer, long[]> before, Map<Integer, long[]> after,
                          Map<Integer, Duration> stops, ModelBundle bundle, double[][] offline,
                          Map<String, Integer> leftRunning, Soak soak) {
        final Tally c = tally(rows, load, committed);
        final Tally u = tally(rows, load, uncommitted);
        out.println();
        out.println("==================== verifier ====================");
        events.forEach(e -> out.println("  " + e));
        out.printf("%-44s %14s %16s%n", "", "read_committed", "read_uncommitted");
        out.printf("%-44s %,14d%n", "valid transactions sent", c.validSent);
        out.printf("%-44s %,14d%n", "bad records sent", c.badSent);
        if (c.fuzzSent > 0) {
            out.printf("%-44s %,14d%n", "mutated records sent", c.fuzzSent);
            out.printf("%-44s %,14d %,16d%n", "  of them given a verdict (still valid)", c.fuzzVerdicts, u.fuzzVerdicts);
            out.printf("%-44s %,14d %,16d%n", "  of them dead letters", c.fuzzDead, u.fuzzDead);
        }
        out.printf("%-44s %,14d%n", "sends that failed (not expected)", load.failed.size());
        out.printf("%-44s %,14d %,16d%n", "verdicts", c.verdicts, u.verdicts);
        out.printf("%-44s %,14d %,16d%n", "dead letters", c.deadLetters, u.deadLetters);
        out.printf("%-44s %,14d %,16d%n", "MISSING (no verdict, no dead letter)", c.missing, u.missing);
        out.printf("%-44s %,14d %,16d%n", "DUPLICATED (2+ outputs for one input)", c.duplicated, u.duplicated);
        out.printf("%-44s %,14d %,16d%n", "bad record given a verdict", c.badWithVerdict, u.badWithVerdict);
        out.printf("%-44s %,14d %,16d%n", "outputs for nothing sent", c.unknown, u.unknown);
        out.printf("%-44s %14d%n", "transactions left open on the brokers", open.size());
        open.forEach(t -> out.println("    " + t));
        out.println("dead letters by reason: " + ledger.reasons());
        final long diffs = ledger.featureDiffs.values().stream().mapToLong(Long::longValue).sum();
        out.printf("features: %,d verdicts compared with the trainer's offline features, %,d differ (|delta| > 1e-9)%s,"
                + " max |delta| %.3g%n", ledger.featuresCompared, diffs,
                diffs == 0 ? "" : " by feature " + new TreeMap<>(ledger.featureDiffs), ledger.maxFeatureDelta);
        printMetrics(rows, ledger, bundle, offline);
        out.println("per fault: time until every partition delivers verdicts scored after it (read_committed):");
        final List<Duration> recoveries = new ArrayList<>();
        for (VerdictLedger.Probe p : ledger.probes()) {
            final Duration d = p.recovery(ledger.partitions());
            recoveries.add(d);
            out.printf("  %-28s %s%n", p.what, d == null ? "NOT RECOVERED (partitions with verdicts: "
                    + p.firstArrivalMs.keySet() + ")" : String.format("%.1f s", d.toMillis() / 1e3));
        }
        printTimeline(ledger);
        soak.print(ledger, out);
        if (!readyAfterRestart.isEmpty()) {
            out.println("restarted scorer, start to /ready: " + readyAfterRestart.stream()
                    .map(d -> String.format("%.1f s", d.toMillis() / 1e3)).toList());
        }
        out.println("scorer memory (RSS kB / heap used kB), after start -> before stop:");
        for (int i : after.keySet()) {
            final long[] b = before.getOrDefault(i, new long[] {-1, -1});
            final long[] a = after.get(i);
            out.printf("  scorer %d: %,d / %,d -> %,d / %,d%n", i, b[0], b[1], a[0], a[1]);
        }
        stops.forEach((i, d) -> out.printf("  scorer %d stopped on SIGTERM in %.1f s%n", i, d.toMillis() / 1e3));
        out.println("scorers left RUNNING other than to stop: " + (leftRunning.isEmpty() ? "never" : leftRunning
                + " (by state; REBALANCING is expected when instances come and go)"));
        final boolean failedStreams = leftRunning.containsKey("ERROR") || leftRunning.containsKey("PENDING_ERROR");
        // Under at_least_once a crash may score a transaction twice: allowed when the repeat is the same verdict
        // (score, decision, version), so a consumer can de-duplicate by transaction id; never a verdict and a dead letter.
        final boolean atLeastOnce = atLeastOnce(s.scorerSettings());
        out.printf("verdicts repeated for one transaction: %,d, of them not the same score, decision and version: %,d"
                + "%s%n", ledger.repeatedVerdicts, ledger.differingRepeats.size(), atLeastOnce
                ? " (at_least_once: repeats allowed, differing ones not)" : "");
        ledger.differingRepeats.stream().limit(5).forEach(d -> out.println("    " + d));
        final boolean outputsRight = atLeastOnce
                ? c.verdictAndDeadLetter == 0 && ledger.differingRepeats.isEmpty() : c.duplicated == 0;
        final boolean passed = c.missing == 0 && outputsRight && c.badWithVerdict == 0 && open.isEmpty()
                && diffs == 0 && ledger.featuresCompared > 0 && !failedStreams;
        out.println(!passed ? "FAILED: see the counts above" : atLeastOnce
                ? "PASSED: nothing missing, every repeat the same verdict, no transaction open, features exact"
                : "PASSED: nothing missing, nothing doubled, no transaction open, features exact");
        out.println("==================================================");
        return new Result(passed, c.missing, c.duplicated, open.size(), diffs, recoveries, List.copyOf(readyAfterRestart),
                load.sent);
    }

    /**
     * Whether the scorers run at_least_once: the last {@code processing.guarantee} setting given them, unless a
     * {@code streams.processing.guarantee} is given too, which the scorer hands Kafka Streams last, so it wins.
     */
    static boolean atLeastOnce(List<String> scorerSettings) {
        String guarantee = "exactly_once_v2";
        String streamsOverride = null;
        for (String setting : scorerSettings) {
            if (setting.startsWith("processing.guarantee=")) {
                guarantee = setting.substring("processing.guarantee=".length());
            } else if (setting.startsWith("streams.processing.guarantee=")) {
                streamsOverride = setting.substring("streams.processing.guarantee=".length());
            }
        }
        return "at_least_once".equals(streamsOverride != null ? streamsOverride : guarantee);
    }

    /** Verdicts per second and partition, from the first second with a verdict to the last. */
    private void printTimeline(VerdictLedger ledger) {
        if (ledger.arrivalsPerSecond.isEmpty()) {
            return;
        }
        final long first = ledger.arrivalsPerSecond.keySet().stream().min(Long::compare).orElseThrow();
        final long last = ledger.arrivalsPerSecond.keySet().stream().max(Long::compare).orElseThrow();
        out.println("verdicts per second per partition (read_committed, wall clock):");
        for (long sec = first; sec <= last; sec++) {
            final long[] n = ledger.arrivalsPerSecond.getOrDefault(sec, new long[ledger.partitions()]);
            final StringBuilder line = new StringBuilder(String.format("  %s", java.time.LocalTime.ofSecondOfDay(
                    Math.floorMod(sec, 86_400L))));
            for (long c : n) {
                line.append(String.format(" %5d", c));
            }
            out.println(line);
        }
    }

    private record Tally(long validSent, long badSent, long verdicts, long deadLetters, long missing, long duplicated,
                         long badWithVerdict, long unknown, long fuzzSent, long fuzzVerdicts, long fuzzDead,
                         long verdictAndDeadLetter) {
    }

    private static Tally tally(List<DatasetRow> rows, ReplayLoad load, VerdictLedger.Counts counts) {
        final java.util.Set<String> known = new java.util.HashSet<>();
        final Outputs valid = outputs(rows.stream().map(DatasetRow::transactionId).toList(), load, counts, known);
        final Outputs bad = outputs(load.badIds, load, counts, known);
        // A mutant may decode to a valid transaction (a verdict) or not (a dead letter): exactly one of them.
        final Outputs fuzz = outputs(load.fuzzIds.keySet(), load, counts, known);
        final long unknown = counts.verdicts().keySet().stream().filter(id -> !known.contains(id)).count()
                + counts.deadLetters().keySet().stream().filter(id -> !known.contains(id)).count();
        return new Tally(valid.sent, bad.sent, counts.verdicts().values().stream().mapToLong(Integer::longValue).sum(),
                counts.deadLetters().values().stream().mapToLong(Integer::longValue).sum(),
                valid.missing + bad.missing + fuzz.missing, valid.duplicated + bad.duplicated + fuzz.duplicated,
                bad.withVerdict, unknown, fuzz.sent, fuzz.verdicts, fuzz.deadLetters, valid.both + bad.both + fuzz.both);
    }

    /** What came out for one kind of input: each expected once, as a verdict or a dead letter. */
    private record Outputs(long sent, long missing, long duplicated, long verdicts, long deadLetters,
                           long withVerdict, long both) {
    }

    /** Outputs of the inputs {@code ids} (sends that failed are not expected); adds the ids to {@code known}. */
    private static Outputs outputs(java.util.Collection<String> ids, ReplayLoad load, VerdictLedger.Counts counts,
                                   java.util.Set<String> known) {
        long sent = 0;
        long missing = 0;
        long duplicated = 0;
        long verdicts = 0;
        long deadLetters = 0;
        long withVerdict = 0;
        long both = 0;
        for (String id : ids) {
            known.add(id);
            if (load.failed.contains(id)) {
                continue;
            }
            sent++;
            final int dead = counts.deadLetters().getOrDefault(id, 0);
            final int verdict = counts.verdicts().getOrDefault(id, 0);
            missing += dead + verdict == 0 ? 1 : 0;
            duplicated += dead + verdict > 1 ? 1 : 0;
            verdicts += verdict;
            deadLetters += dead;
            withVerdict += verdict > 0 ? 1 : 0;
            both += verdict > 0 && dead > 0 ? 1 : 0;
        }
        return new Outputs(sent, missing, duplicated, verdicts, deadLetters, withVerdict, both);
    }

    /** Live ROC-AUC / AP / CP@100 from the verdicts' scores beside the same model scored offline on the same rows. */
    private void printMetrics(List<DatasetRow> rows, VerdictLedger ledger, ModelBundle bundle, double[][] offline) {
        final TreeEnsemble model = TreeEnsemble.fromJson(bundle.model());
        final List<HandbookEvaluation.Scored> live = new ArrayList<>();
        final List<HandbookEvaluation.Scored> trainer = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            final DatasetRow r = rows.get(i);
            if (!Double.isNaN(ledger.liveScores[i])) {
                live.add(new HandbookEvaluation.Scored(r.customerId(), r.eventTimeMs(), ledger.liveScores[i], r.fraud()));
                trainer.add(new HandbookEvaluation.Scored(r.customerId(), r.eventTimeMs(), model.predict(offline[i]),
                        r.fraud()));
            }
        }
        if (live.stream().noneMatch(HandbookEvaluation.Scored::fraud)) {
            out.println("metrics: no fraud among the scored transactions");
            return;
        }
        final HandbookEvaluation.Result l = HandbookEvaluation.evaluate(live);
        final HandbookEvaluation.Result t = HandbookEvaluation.evaluate(trainer);
        out.printf("%-44s %8s %8s %8s%n", "over the replayed transactions", "ROC-AUC", "AP", "CP@100");
        out.printf("%-44s %8.4f %8.4f %8.4f%n", "  trainer (offline features, same model)", t.rocAuc(),
                t.averagePrecision(), t.cardPrecisionAtK());
        out.printf("%-44s %8.4f %8.4f %8.4f%n", "  live (from verdicts)", l.rocAuc(), l.averagePrecision(),
                l.cardPrecisionAtK());
    }

    private static List<String> openTransactions(LocalStack stack) throws Exception {
        try (Admin admin = stack.admin()) {
            final List<String> ids = admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                    .map(TransactionListing::transactionalId).toList();
            if (ids.isEmpty()) {
                return List.of();
            }
            final Map<String, TransactionDescription> described = admin.describeTransactions(ids).all()
                    .get(30, TimeUnit.SECONDS);
            final List<String> open = new ArrayList<>();
            described.forEach((id, d) -> {
                if (d.state() == TransactionState.ONGOING || d.state() == TransactionState.PREPARE_COMMIT
                        || d.state() == TransactionState.PREPARE_ABORT) {
                    open.add(id + " " + d.state() + " on " + d.topicPartitions());
                }
            });
            return open;
        }
    }

    private Map<Integer, long[]> memory(ScorerFleet fleet) {
        final Map<Integer, long[]> m = new TreeMap<>();
        for (int i : fleet.running()) {
            m.put(i, new long[] {fleet.rssKb(i), fleet.heapKb(i)});
        }
        return m;
    }

    private List<DatasetRow> rows() throws IOException {
        final long fromMs = s.from().atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        final List<DatasetRow> all = new ArrayList<>();
        DatasetReader.read(s.data(), row -> {
            if (row.eventTimeMs() >= fromMs) {
                all.add(row);
            }
        });
        all.sort(OfflineFeatures.ENGINE_ORDER);
        if (all.size() < s.transactions()) {
            throw new IllegalArgumentException("--transactions " + s.transactions() + ": the dataset has only "
                    + all.size() + " from " + s.from() + "; lower it or choose an earlier --from");
        }
        return List.copyOf(all.subList(0, s.transactions()));
    }

    private Path train() throws IOException, InterruptedException {
        final Path bundle = s.dataDir().resolve("models/fraud-1");
        step("training a model as the demo does (log " + s.dataDir().resolve("trainer.log") + ")");
        final List<String> cmd = new ArrayList<>(commands.trainer());
        cmd.addAll(List.of("train", "--data", s.data().toAbsolutePath().toString(), "--test-start", "2018-08-15",
                "--folds", "1", "--max-depth", "3", "--n-estimators", "100", "--learning-rate", "0.1",
                "--out", bundle.toString()));
        ChildProcess.run("trainer", cmd, s.dataDir(), s.dataDir().resolve("trainer.log"), 900);
        return bundle;
    }

    private void modelControl(LocalStack stack, String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(commands.modelControl());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--command-config", stack.clientConfigFile(Access.Role.OPERATOR).toString()));
        ChildProcess.run("model-control", cmd, s.dataDir(), s.dataDir().resolve("model-control.log"), 120);
    }

    private void event(ConcurrentLinkedQueue<String> events, String what) {
        final String line = String.format("[%s] %s", java.time.LocalTime.now().withNano(0), what);
        events.add(line);
        out.println("    " + line);
    }

    private void step(String what) {
        out.println("==> " + what);
    }
}
