package dev.fraudscorer.infra;

import dev.fraudscorer.data.DatasetReader;
import dev.fraudscorer.data.DatasetRow;
import dev.fraudscorer.data.DefaultDataset;
import dev.fraudscorer.data.DirectoryTree;
import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.eval.HandbookEvaluation;
import dev.fraudscorer.features.OfflineFeatures;
import dev.fraudscorer.schema.FraudLabel;
import dev.fraudscorer.schema.Transaction;
import dev.fraudscorer.schema.Verdict;
import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.AvroSerdes;
import dev.fraudscorer.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job: local stack, topics and schemas, train, publish and promote version 1, start the scorer, replay the
 * model's test week through Kafka (after enough history to fill every feature window, with fraud labels arriving
 * as the replay goes), and print what came out, with the trainer's test-week figures recomputed from the verdicts. Trainer, model-control and
 * scorer run as their own processes from their jars, exactly as a user would run them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole path end to end on the local stack and print a summary.")
final class Demo implements Callable<Integer> {

    /** Days the training window starts before the test week: 7 days training + 7 days label delay. */
    private static final int TRAIN_TO_TEST_DAYS = 14;
    private static final int TEST_DAYS = 7;
    /** How far live AP may be from the trainer's before the demo says so. */
    private static final double AP_TOLERANCE = 0.001;

    @Mixin
    InfraMain.StackOptions stackOptions;
    @Option(names = "--data", description = "Dataset CSV. Default: $FRAUD_DATA or ../shared/data/"
            + DefaultDataset.FILE_NAME)
    Path data;
    @Option(names = "--train-from", defaultValue = "2018-08-15",
            description = "Training starts here; 7 days train, 7 days label delay, and the week after is the test week. Default: ${DEFAULT-VALUE}")
    LocalDate trainFrom;
    @Option(names = "--history-days", defaultValue = "37", description = "Days replayed before the test week so every"
            + " feature window is full (30-day customer windows; 30-day terminal windows 7 days back). At least 14."
            + " Default: ${DEFAULT-VALUE}")
    int historyDays;
    @Option(names = "--label-delay-hours", defaultValue = "24", description = "A fraud label is sent once the replay"
            + " is this far past its transaction; at most 168 (the feature spec's 7-day delay). Default: ${DEFAULT-VALUE}")
    int labelDelayHours;
    @Option(names = "--hyper-params", split = ",", defaultValue = "3,100,0.1", description = "max_depth,n_estimators,"
            + "learning_rate for the demo's model (the full grid search is 'trainer-job train'). Default: ${DEFAULT-VALUE}")
    List<String> hyperParams;
    @Option(names = "--rate", defaultValue = "0", description = "Transactions per second to replay at; 0 = as fast"
            + " as possible (the scorer then catches up on a backlog). Default: ${DEFAULT-VALUE}")
    int rate;
    @Option(names = "--bad-records", defaultValue = "20", description = "Malformed or invalid records mixed into the replay. Default: ${DEFAULT-VALUE}")
    int badRecords;
    @Option(names = "--metrics-port", defaultValue = "9464", description = "Scorer /metrics port. Default: ${DEFAULT-VALUE}")
    int metricsPort;
    @Option(names = "--stream-threads", defaultValue = "1", description = "Scorer stream threads. Default: ${DEFAULT-VALUE}")
    int streamThreads;
    @Option(names = "--candidate-features", defaultValue = "recommended", description = "Feature groups of version 2,"
            + " the candidate trained beside the handbook's version 1, evaluated on the replayed history, shadowed"
            + " through the test week, then put on a canary and promoted ('trainer-job train --features'); none ="
            + " version 1 alone. Default: ${DEFAULT-VALUE}")
    String candidateFeatures;
    @Option(names = "--candidate-hyper-params", split = ",", defaultValue = "4,200,0.05", description = "max_depth,"
            + "n_estimators,learning_rate of version 2 (the validation folds' choice for the recommended features on"
            + " a grid with depth 4 and rate 0.05 added, see the README). Default: ${DEFAULT-VALUE}")
    List<String> candidateHyperParams;
    @Option(names = "--keep-running", description = "Keep the stack and the scorer running after the summary.")
    boolean keepRunning;
    @Option(names = "--scorer-java-option", description = "A JVM option for the scorer (repeatable), e.g."
            + " --scorer-java-option=-Xmx1g or --scorer-java-option=-XX:StartFlightRecording=filename=scorer.jfr")
    List<String> scorerJavaOptions = new java.util.ArrayList<>();
    @Option(names = "--scorer-malloc", defaultValue = "auto", description = "C allocator of the scorer process: auto"
            + " (jemalloc when the system has it, else the system's), jemalloc, or system. Default: ${DEFAULT-VALUE}")
    ScorerMalloc scorerMalloc;
    @Option(names = "--keep-data", description = "Reuse the data directory instead of starting clean.")
    boolean keepData;
    @Option(names = "--scorer-setting", description = "KEY=VALUE passed to the scorer (repeatable; see"
            + " 'scorer-app --help'), e.g. warmup.streams.records=0")
    List<String> scorerSettings = new java.util.ArrayList<>();
    @Option(names = "--restart-scorer", description = "Before the test week, once every verdict is out, stop the"
            + " scorer (SIGTERM) and start a new process with the same command and state; the test week then measures a"
            + " cold scorer JVM beside a broker and a load generator that are already warm (what a restart or a new"
            + " instance meets in production).")
    boolean restartScorer;

    @Override
    public Integer call() throws Exception {
        data = DatasetOption.resolve(data);
        if (historyDays < TRAIN_TO_TEST_DAYS || rate < 0 || badRecords < 0 || streamThreads <= 0
                || labelDelayHours < 0 || labelDelayHours > 168 || hyperParams.size() != 3
                || candidateHyperParams.size() != 3) {
            throw new IllegalArgumentException("--history-days must be >= 14, --stream-threads > 0, --rate and"
                    + " --bad-records >= 0, --label-delay-hours in [0, 168], --hyper-params and --candidate-hyper-params DEPTH,ROUNDS,RATE");
        }
        for (String setting : scorerSettings) {
            if (setting.indexOf('=') <= 0) {
                throw new IllegalArgumentException("--scorer-setting '" + setting + "' is not KEY=VALUE, e.g."
                        + " --scorer-setting warmup.streams.records=0");
            }
        }
        final java.util.Map<String, String> scorerEnvironment = scorerMalloc.environment(); // refused here, not after training
        RepoLayout.checkJavaOptions(scorerJavaOptions);
        final Path dataDir = stackOptions.dataDir.toAbsolutePath();
        if (!keepData && Files.exists(dataDir)) {
            DirectoryTree.delete(dataDir);
        }
        final RepoLayout repo = RepoLayout.locate();
        final long t0 = System.nanoTime();
        step("starting the local stack (KRaft broker + Apicurio Registry) in " + dataDir);
        try (LocalStack stack = LocalStack.start(stackOptions.toOptions())) {
            step(String.format("stack up in %.1f s: Kafka %s, registry %s", (System.nanoTime() - t0) / 1e9,
                    stack.bootstrapServers(), stack.registryUrl()));
            final Path bundle = dataDir.resolve("models/fraud-1");
            final Path logs = dataDir.resolve("logs");
            Files.createDirectories(logs);
            final String java = ChildProcess.javaBinary();
            final boolean candidate = !"none".equals(candidateFeatures);
            final Path candidateBundle = dataDir.resolve("models/fraud-2");
            step("training on " + trainFrom + " + 7 days, testing on the week after the 7-day delay: version 1 with the"
                    + " handbook's 15 features" + (candidate ? ", version 2 with + " + candidateFeatures : "")
                    + " (logs " + logs.resolve("trainer*.log") + ")");
            // Two trainer processes at once: each computes its features on one thread.
            final ExecutorService training = Executors.newFixedThreadPool(2);
            try {
                final var v1 = training.submit(() -> train(java, repo, "handbook", hyperParams, bundle,
                        logs.resolve("trainer.log")));
                final var v2 = candidate ? training.submit(() -> train(java, repo, candidateFeatures,
                        candidateHyperParams, candidateBundle, logs.resolve("trainer-2.log"))) : null;
                v1.get();
                if (v2 != null) {
                    v2.get();
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } finally {
                training.shutdownNow();
            }
            printTail(logs.resolve("trainer.log"), 3);
            if (candidate) {
                printTail(logs.resolve("trainer-2.log"), 3);
            }
            // The demo's own trainer key: it signs the version, the scorer trusts only its public half.
            final Path keys = dataDir.resolve("keys");
            // And an operator key that signs every model-control record (the scorer refuses any other), and the
            // alert webhook's, which may only sign a rollback ('model-control webhook --control-key').
            Files.createDirectories(keys);
            for (String who : List.of("trainer", "operator", "webhook")) {
                if (!Files.exists(keys.resolve(who + ".key"))) {
                    dev.fraudscorer.bundle.BundleSigning.write(dev.fraudscorer.bundle.BundleSigning.generate(),
                            keys.resolve(who));
                }
            }
            final List<String> control = repo.javaJar(java, "model-control");
            controlKey = keys.resolve("operator.key");
            final List<List<String>> commands = new ArrayList<>();
            commands.add(List.of("publish", bundle.toString(), "--description", "demo: handbook features",
                    "--signing-key", keys.resolve("trainer.key").toString()));
            if (candidate) {
                commands.add(List.of("publish", candidateBundle.toString(), "--description", "demo: handbook + "
                        + candidateFeatures, "--signing-key", keys.resolve("trainer.key").toString()));
            }
            commands.add(List.of("promote", "1", "--reason", "demo"));
            for (List<String> args : commands) {
                modelControl(control, stack, args, logs);
            }
            printTail(logs.resolve("model-control.log"), commands.size());
            final int port = Ports.resolve(metricsPort, "scorer metrics");
            step("starting the scorer (log " + logs.resolve("scorer.log") + ")");
            final List<String> scorerCommand = new java.util.ArrayList<>(repo.javaJar(java, "scorer-app", scorerJavaOptions));
            scorerCommand.addAll(List.of("bootstrap.servers=" + stack.bootstrapServers(),
                    "registry.url=" + stack.registryUrl(), "metrics.port=" + port,
                    "model.trusted.keys=" + keys.resolve("trainer.pub"),
                    "model.control.trusted.keys=" + keys.resolve("operator.pub"),
                    "model.control.rollback.keys=" + keys.resolve("webhook.pub"),
                    "kafka.client.config=" + stack.clientConfigFile(Access.Role.SCORER),
                    "state.dir=" + dataDir.resolve("scorer-state"), "streams.num.stream.threads=" + streamThreads));
            scorerCommand.addAll(scorerSettings);
            // Replaced by a restart before the test week; the replay's CPU accounting follows it.
            final AtomicReference<ChildProcess> scorer = new AtomicReference<>(ChildProcess.start("scorer", scorerCommand,
                    repo.root(), logs.resolve("scorer.log"), scorerEnvironment));
            try {
                waitReady(scorer.get(), port);
                step("scorer ready; its malloc (from /proc/" + scorer.get().pid() + "/maps): "
                        + ScorerMalloc.loadedIn(scorer.get().pid()));
                final LocalDate testFrom = trainFrom.plusDays(TRAIN_TO_TEST_DAYS);
                final Runnable candidateSteps = !candidate ? () -> { } : () -> {
                    // The candidate judged on what came through Kafka before it serves anything.
                    step("evaluating version 2 on the replayed week before the test week (model-control evaluate)");
                    modelControl(control, stack, List.of("evaluate", "2", "--from", testFrom.minusDays(7).toString(),
                            "--to", testFrom.toString()), logs);
                    try {
                        printTail(logs.resolve("model-control.log"), 5);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    step("version 2 as shadow through the test week: every verdict also carries its score");
                    modelControl(control, stack, List.of("shadow", "2", "--reason", "demo: candidate"), logs);
                    // The control record reaches the scorer through its global thread: send the test week only once
                    // it serves the shadow, or its first transactions would have no shadow score.
                    awaitServing(port, "shadow", 2);
                };
                final Runnable beforeTestWeek = !restartScorer ? candidateSteps : () -> {
                    candidateSteps.run();
                    try {
                        step("restarting the scorer: SIGTERM, then the same command over the same state");
                        final long stop = System.nanoTime();
                        scorer.get().close();
                        scorer.set(ChildProcess.start("scorer", scorerCommand, repo.root(), logs.resolve("scorer.log"),
                                scorerEnvironment));
                        waitReady(scorer.get(), port);
                        step(String.format("scorer ready again %.1f s after the stop; the test week follows at once",
                                (System.nanoTime() - stop) / 1e9));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                };
                final Summary summary = replay(stack, testFrom.minusDays(historyDays), testFrom, testFrom.plusDays(TEST_DAYS),
                        beforeTestWeek, new ReplayCpu(stack, scorer::get));
                summary.print(testFrom.minusDays(historyDays), testFrom.plusDays(TEST_DAYS));
                printScorerHistogram(port);
                boolean same = summary.compareWithTrainer(ModelBundle.readFrom(bundle).manifest(), trainFrom,
                        "version 1 (deciding)", summary.scores);
                if (candidate) {
                    same &= summary.compareWithTrainer(ModelBundle.readFrom(candidateBundle).manifest(), trainFrom,
                            "version 2 (shadow)", summary.shadowScores);
                    step("version 2 on a 10% canary, then promoted");
                    for (List<String> args : List.of(List.of("canary", "2", "--percent", "10", "--reason", "demo"),
                            List.of("promote", "2", "--reason", "demo: beat version 1 on the replayed week"))) {
                        modelControl(control, stack, args, logs);
                    }
                    printTail(logs.resolve("model-control.log"), 2);
                    awaitServing(port, "active", 2);
                    step("the scorer serves version 2");
                }
                if (keepRunning) {
                    InfraMain.printConnection(stack, "http://127.0.0.1:" + port + "/metrics");
                    new CountDownLatch(1).await();
                }
                return summary.complete() && same ? 0 : 1;
            } finally {
                scorer.get().close();
            }
        }
    }

    /** Replays [from, to); at {@code pauseAt} waits for every verdict so far, then runs {@code atPause}. */
    private Summary replay(LocalStack stack, LocalDate from, LocalDate pauseAt, LocalDate to, Runnable atPause,
                           ReplayCpu cpu) throws IOException, InterruptedException {
        final long pauseMs = pauseAt.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        boolean paused = false;
        final long fromMs = from.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        final long toMs = to.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        final List<DatasetRow> rows = new ArrayList<>();
        DatasetReader.read(data, row -> {
            if (row.eventTimeMs() >= fromMs && row.eventTimeMs() < toMs) {
                rows.add(row);
            }
        });
        rows.sort(OfflineFeatures.ENGINE_ORDER);
        step(String.format("replaying %,d transactions of %s..%s%s, fraud labels %d h after their transaction, %d bad"
                        + " records mixed in", rows.size(), from, to, rate > 0 ? " at " + rate + "/s" : " as fast as possible",
                labelDelayHours, badRecords));
        final Serde<Transaction> txSerde = AvroSerdes.values(stack.registryUrl());
        final Serde<FraudLabel> labelSerde = AvroSerdes.values(stack.registryUrl());
        final Summary summary = new Summary();
        summary.cpu = cpu;
        final VerdictCollector collector = new VerdictCollector(stack, summary);
        collector.start();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(stack), new StringSerializer(),
                new ByteArraySerializer())) {
            final int badEvery = badRecords == 0 ? Integer.MAX_VALUE : Math.max(1, rows.size() / badRecords);
            cpu.start();
            final long start = System.nanoTime();
            long scheduleStart = start;
            summary.firstSentNanos = start;
            long sent = 0;
            final long labelDelayMs = labelDelayHours * 3_600_000L;
            final ReplayRecords.PendingLabels labels = new ReplayRecords.PendingLabels(labelDelayMs);
            for (int i = 0; i < rows.size(); i++) {
                final DatasetRow row = rows.get(i);
                if (!paused && row.eventTimeMs() >= pauseMs) {
                    paused = true;
                    final long pausedAt = System.nanoTime();
                    producer.flush();
                    collector.awaitAll(sent + summary.badSent, Duration.ofMinutes(10));
                    final long pauseStart = System.nanoTime();
                    cpu.stop();
                    atPause.run();
                    cpu.start();
                    summary.pausedNanos = System.nanoTime() - pauseStart;
                    // Paced: go on at the rate from here, not in a burst that makes up for the pause.
                    scheduleStart += System.nanoTime() - pausedAt;
                    summary.resumedNanos = System.nanoTime();
                }
                summary.labelsSent += labels.advance(row, label -> producer.send(new ProducerRecord<>(
                        Topics.FRAUD_LABELS.name(), label.getTerminalId(), labelSerde.serializer().serialize(
                        Topics.FRAUD_LABELS.name(), label))));
                if (i % badEvery == badEvery / 2 && summary.badSent < badRecords) {
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), row.customerId(), ReplayRecords.bad(txSerde.serializer(), row, summary.badSent)));
                    summary.badSent++;
                }
                producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), row.customerId(),
                        txSerde.serializer().serialize(Topics.TRANSACTIONS.name(), ReplayRecords.transaction(row))));
                sent++;
                if (rate > 0) {
                    final long due = scheduleStart + sent * 1_000_000_000L / rate;
                    final long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            }
            producer.flush();
            summary.sent = sent;
            summary.lastSentNanos = System.nanoTime();
            step(String.format("sent %,d transactions and %,d fraud labels in %.1f s; waiting for the verdicts", sent,
                    summary.labelsSent, (summary.lastSentNanos - start) / 1e9));
        }
        collector.awaitAll(summary.sent + summary.badSent, Duration.ofMinutes(10));
        cpu.stop();
        collector.stop();
        summary.rows = rows;
        return summary;
    }

    static Properties producerProps(LocalStack stack) {
        final Properties props = new Properties();
        props.putAll(stack.clientConfig(Access.Role.PRODUCER));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    static Properties consumerProps(LocalStack stack) {
        final Properties props = new Properties();
        // Verdicts and dead letters: the auditor's view (a verdict consumer may not read dead letters).
        props.putAll(stack.clientConfig(Access.Role.AUDITOR));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    /** Reads verdicts and dead letters (read_committed) while the replay runs. */
    private static final class VerdictCollector implements Runnable {
        private final LocalStack stack;
        private final Summary summary;
        private final Thread thread = new Thread(this, "verdict-collector");
        private volatile boolean running = true;

        VerdictCollector(LocalStack stack, Summary summary) {
            this.stack = stack;
            this.summary = summary;
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        void awaitAll(long expected, Duration timeout) throws InterruptedException {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (summary.received() < expected && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }

        @Override
        public void run() {
            final Serde<Verdict> serde = AvroSerdes.values(stack.registryUrl());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(stack),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                final List<TopicPartition> parts = new ArrayList<>();
                for (String topic : List.of(Topics.VERDICTS.name(), Topics.DEAD_LETTERS.name())) {
                    consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        final long now = System.currentTimeMillis();
                        if (r.topic().equals(Topics.VERDICTS.name())) {
                            final Verdict v = serde.deserializer().deserialize(r.topic(), r.value());
                            summary.verdict(v, now - r.timestamp());
                            final var shadow = r.headers().lastHeader("shadow.score");
                            if (shadow != null) {
                                summary.shadowScores.put(v.getTransactionId(),
                                        Double.parseDouble(new String(shadow.value(), StandardCharsets.US_ASCII)));
                            }
                        } else {
                            final var reason = r.headers().lastHeader("dlq.reason");
                            summary.deadLetter(reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        }
    }

    /** What came out, and the arithmetic on it. */
    private static final class Summary {
        static final long WINDOW_NANOS = 5_000_000_000L;
        final Map<String, Double> scores = new HashMap<>();
        /** The shadow version's score of each transaction, from the verdict's headers. */
        final Map<String, Double> shadowScores = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Long> decisions = new TreeMap<>();
        final Map<Integer, Long> versions = new TreeMap<>();
        final Map<String, Long> deadLetters = new TreeMap<>();
        final Histogram latencyMs = new Histogram(3_600_000L, 3);
        // By when each verdict was read, in 5-second windows from the first send: a summary over the run hides a
        // cold start, a window shows it.
        final Map<Long, Histogram> windows = new TreeMap<>();
        /** The same from the end of the pause before the test week (after a restart, what the new process did). */
        final Map<Long, Histogram> windowsAfterPause = new TreeMap<>();
        final Histogram latencyAfterPauseMs = new Histogram(3_600_000L, 3);
        /** When sending went on after that pause; 0 until then. Every verdict read later is of the test week. */
        volatile long resumedNanos;
        volatile long verdicts;
        volatile long dead;
        long sent;
        int badSent;
        long firstSentNanos;
        /** Time the replay stood still between history and test week (evaluate, shadow): not throughput. */
        long pausedNanos;
        long lastSentNanos;
        volatile long lastReceivedNanos;
        long labelsSent;
        List<DatasetRow> rows = List.of();
        ReplayCpu cpu;

        synchronized void verdict(Verdict v, long latency) {
            scores.put(v.getTransactionId(), v.getScore());
            decisions.merge(v.getDecision().name(), 1L, Long::sum);
            versions.merge(v.getModelVersion(), 1L, Long::sum);
            latencyMs.recordValue(Math.max(0, latency));
            final long now = System.nanoTime();
            windows.computeIfAbsent((now - firstSentNanos) / WINDOW_NANOS, w -> new Histogram(3_600_000L, 2))
                    .recordValue(Math.max(0, latency));
            if (resumedNanos != 0) {
                windowsAfterPause.computeIfAbsent((now - resumedNanos) / WINDOW_NANOS, w -> new Histogram(3_600_000L, 2))
                        .recordValue(Math.max(0, latency));
                latencyAfterPauseMs.recordValue(Math.max(0, latency));
            }
            verdicts++;
            lastReceivedNanos = System.nanoTime();
        }

        synchronized void deadLetter(String reason) {
            deadLetters.merge(reason, 1L, Long::sum);
            dead++;
            lastReceivedNanos = System.nanoTime();
        }

        long received() {
            return verdicts + dead;
        }

        boolean complete() {
            return verdicts == sent && dead == badSent;
        }

        synchronized void print(LocalDate from, LocalDate to) {
            final double seconds = (lastReceivedNanos - firstSentNanos - pausedNanos) / 1e9;
            System.out.println();
            System.out.println("==================== summary ====================");
            System.out.printf("replayed                 %s .. %s (history, then the test week)%n", from, to);
            System.out.printf("transactions in          %,d valid + %d bad%n", sent, badSent);
            System.out.printf("verdicts out             %,d %s%n", verdicts, verdicts == sent ? "(one per valid transaction)" : "(MISSING " + (sent - verdicts) + ")");
            System.out.printf("dead letters             %,d %s%n", dead, deadLetters);
            System.out.printf("verdicts per decision    %s%n", decisions);
            System.out.printf("verdicts per version     %s%n", versions);
            System.out.printf("fraud labels sent        %,d%n", labelsSent);
            System.out.printf("throughput               %,.0f records/s (first send to last verdict, %.1f s%s)%n",
                    (verdicts + dead) / seconds, seconds, pausedNanos == 0 ? "" : String.format(
                            "; without the %.1f s the replay stood still before the test week: evaluate, shadow, restart", pausedNanos / 1e9));
            System.out.printf("CPU per process          %s (over the same %.1f s)%n", cpu.describe(seconds), seconds);
            System.out.printf("input->verdict latency   p50 %d ms, p99 %d ms, max %d ms (producer timestamp to verdict"
                    + " read, read_committed)%n", latencyMs.getValueAtPercentile(50), latencyMs.getValueAtPercentile(99),
                    latencyMs.getMaxValue());
            printWorstWindow("worst 5 s window        ", windows, "the first send");
            if (!windowsAfterPause.isEmpty()) {
                System.out.printf("test week (after the pause) p50 %d ms, p99 %d ms, max %d ms%n",
                        latencyAfterPauseMs.getValueAtPercentile(50), latencyAfterPauseMs.getValueAtPercentile(99),
                        latencyAfterPauseMs.getMaxValue());
                printWorstWindow("  worst 5 s window      ", windowsAfterPause, "the pause ended");
                System.out.printf("  p99 per 5 s window, ms: %s%n", windowsAfterPause.values().stream()
                        .map(h -> String.valueOf(h.getValueAtPercentile(99))).toList());
            }
            System.out.println("=================================================");
        }

        private static void printWorstWindow(String label, Map<Long, Histogram> windows, String since) {
            windows.entrySet().stream().max(java.util.Comparator.comparingLong(e -> e.getValue().getValueAtPercentile(99)))
                    .ifPresent(w -> System.out.printf("%s p99 %d ms (%d-%d s after %s, %,d verdicts); first window p99"
                                    + " %d ms%n", label, w.getValue().getValueAtPercentile(99), w.getKey() * 5,
                            w.getKey() * 5 + 5, since, w.getValue().getTotalCount(),
                            windows.values().iterator().next().getValueAtPercentile(99)));
        }

        /**
         * The trainer's test-week evaluation, recomputed from the verdicts: same test set (known-compromised cards
         * removed), same metrics code, scores from the live scorer.
         */
        synchronized boolean compareWithTrainer(Manifest manifest, LocalDate trainFrom, String who,
                                                Map<String, Double> scores) {
            final List<Integer> test = HandbookEvaluation.testSet(rows, trainFrom, 7, 7, TEST_DAYS);
            final List<HandbookEvaluation.Scored> scored = new ArrayList<>();
            for (int i : test) {
                final DatasetRow row = rows.get(i);
                final Double score = scores.get(row.transactionId());
                if (score != null) {
                    scored.add(new HandbookEvaluation.Scored(row.customerId(), row.eventTimeMs(), score, row.fraud()));
                }
            }
            final HandbookEvaluation.Result live = HandbookEvaluation.evaluate(scored);
            final Manifest.Metrics trainer = manifest.metrics();
            final double deltaAp = Math.abs(live.averagePrecision() - trainer.averagePrecision());
            System.out.println();
            System.out.printf("%s, %d features: test week %s, %,d of the %,d transactions in the test set scored, %d"
                    + " frauds%n", who, manifest.featureSpec().size(), manifest.training().testFrom(), scored.size(),
                    test.size(), live.frauds());
            System.out.printf("  %-28s %8s %8s %8s%n", "", "ROC-AUC", "AP", "CP@100");
            System.out.printf("  %-28s %8.4f %8.4f %8.4f%n", "trainer (offline, manifest)", trainer.rocAuc(),
                    trainer.averagePrecision(), trainer.cardPrecisionAt100());
            System.out.printf("  %-28s %8.4f %8.4f %8.4f%n", "live scorer (from verdicts)", live.rocAuc(),
                    live.averagePrecision(), live.cardPrecisionAtK());
            final boolean same = scored.size() == test.size() && deltaAp <= AP_TOLERANCE;
            System.out.printf("  |AP live - AP trainer| = %.6f %s%n", deltaAp, same ? "(within " + AP_TOLERANCE + ")"
                    : "(NOT within " + AP_TOLERANCE + ")");
            System.out.println("=================================================");
            return same;
        }
    }

    private Void train(String java, RepoLayout repo, String features, List<String> params, Path out, Path log)
            throws IOException, InterruptedException {
        ChildProcess.run("trainer", List.of(java, "-jar", repo.moduleJar("trainer-job").toString(), "train",
                "--data", data.toAbsolutePath().toString(), "--test-start", trainFrom.toString(), "--folds", "1",
                "--max-depth", params.get(0), "--n-estimators", params.get(1),
                "--learning-rate", params.get(2), "--features", features, "--jobs", "1", "--out", out.toString()),
                repo.root(), log, 900);
        return null;
    }

    /** One model-control command as a user runs it; its output goes to the model-control log. */
    /** The operator's key: every model-control command the demo runs signs what it writes with it. */
    private Path controlKey;

    private void modelControl(List<String> control, LocalStack stack, List<String> args, Path logs) {
        final List<String> command = new ArrayList<>(control);
        command.addAll(args);
        command.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--control-key", controlKey.toString()));
        if (stack.secured()) {
            command.addAll(List.of("--command-config", stack.clientConfigFile(Access.Role.OPERATOR).toString()));
        }
        try {
            ChildProcess.run("model-control", command, RepoLayout.locate().root(), logs.resolve("model-control.log"), 300);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the scorer's /metrics say it serves {@code version} in {@code role}. */
    private static void awaitServing(int port, String role, int version) {
        final HttpClient http = HttpClient.newHttpClient();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < deadline) {
                final String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (metrics.lines().anyMatch(l -> l.startsWith("fraud_model_serving{") && l.contains("role=\"" + role
                        + "\"") && l.contains("version=\"" + version + "\""))) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the scorer did not report version " + version + " as " + role + " within 60 s");
    }

    private void waitReady(ChildProcess scorer, int port) throws IOException, InterruptedException {
        final HttpClient http = HttpClient.newHttpClient();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            scorer.requireAlive();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    step("scorer ready: RUNNING with model version 1 verified");
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("the scorer did not become ready in 90 s; see " + scorer.log());
    }

    /**
     * The scorer's own view of latency ({@code fraud_ingest_to_verdict}: input timestamp to verdict produced, before
     * its transaction commits), beside the reader's: percentiles of the running process's histogram.
     */
    private void printScorerHistogram(int port) throws IOException, InterruptedException {
        final String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        final PrometheusHistogram h = PrometheusHistogram.parse(page, "fraud_ingest_to_verdict_seconds");
        System.out.printf("scorer's own histogram   p50 %.0f ms, p95 %.0f ms, p99 %.0f ms over %,.0f verdicts (input"
                        + " timestamp -> verdict produced, not yet committed; %s)%n", h.quantile(0.5) * 1000,
                h.quantile(0.95) * 1000, h.quantile(0.99) * 1000, h.count(),
                restartScorer ? "the restarted process: the test week" : "the whole replay");
    }

    private static void printTail(Path log, int lines) throws IOException {
        // The registry client's one-time notice about its Vert.x instance is not what the demo reports.
        final List<String> all = Files.readAllLines(log).stream()
                .filter(l -> !l.contains("DefaultVertxInstance") && !l.contains("default shared Vertx instance")).toList();
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> System.out.println("    " + l));
    }

    private static void step(String what) {
        System.out.println("==> " + what);
    }

}
