package dev.fraudscorer.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.bundle.Manifest;
import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.score.TreeEnsemble;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import dev.fraudscorer.features.FeatureSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainerTest {

    private static FeatureTable table;
    private static ModelBundle first;

    @BeforeAll
    static void trainOnce() throws Exception {
        table = FeatureTable.load(dataset(), FeatureSpec.handbook(), config(0, 3).endOfData(),
                new PrintStream(new ByteArrayOutputStream()));
        first = train(0);
    }

    @Test
    void sameDataConfigAndSeedGiveAByteIdenticalModel() throws Exception {
        final ModelBundle second = train(0);
        assertEquals(first.manifest().modelSha256(), second.manifest().modelSha256());
        assertArrayEquals(first.model(), second.model());
    }

    @Test
    void manifestRecordsLineageMetricsAndThresholds() {
        final Manifest m = first.manifest();
        assertEquals(ModelBundle.sha256(first.model()), m.modelSha256());
        assertEquals("7e476c8321673bd0b284e37e88e8a59d9c9578c1fcf71edbac0f3c4e72e6f695", m.training().dataSha256());
        assertEquals("2018-05-08", m.training().trainFrom(), "the newest test fold's model is bundled");
        assertEquals("2018-05-22", m.training().testFrom(), "test starts after the delay");
        assertEquals(0L, m.params().get("seed") instanceof Number n ? n.longValue() : -1L);
        assertTrue(m.metrics().rocAuc() > 0.5 && m.metrics().rocAuc() <= 1, "ROC-AUC " + m.metrics().rocAuc());
        assertTrue(m.metrics().cardPrecisionAt100() > 0 && m.metrics().cardPrecisionAt100() <= 1);
        assertTrue(m.metrics().testFrauds() > 0);
        assertEquals(FeatureSpec.handbook(), m.featureSpec());
        // Grid: 2 points, chosen on validation folds; the winner is recorded and used.
        assertEquals(2, m.protocol().grid().size());
        assertEquals(2, m.protocol().testFolds().size());
        assertEquals("2018-05-01", m.protocol().testFolds().get(1).trainFrom(), "fold 1 is a week earlier");
        assertEquals(m.protocol().selected().maxDepth(), ((Number) m.params().get("max_depth")).intValue());
        assertEquals(m.metrics(), m.protocol().testFolds().get(0).metrics());
        assertTrue(m.thresholds().review() <= m.thresholds().decline());
        // Chosen out of sample: the bundled model's training week scored by a model trained two weeks earlier.
        assertTrue(m.thresholds().rule().contains("the validation week 2018-05-08..2018-05-15"), m.thresholds().rule());
        assertEquals(FeatureSpec.handbook().names(), m.screening().features().stream()
                .map(Manifest.FeatureStats::name).toList(), "input statistics for every model input, in order");
        assertTrue(m.screening().outlierThreshold() > 0 && m.screening().uncertainTo() == m.thresholds().review());
        assertEquals("3.0.4", m.versions().get("xgboost4j"));
    }

    @Test
    void theJvmEvaluatorReproducesTheReferenceRows() {
        final TreeEnsemble ensemble = TreeEnsemble.fromJson(first.model());
        assertTrue(first.manifest().referenceRows().size() >= 10);
        for (Manifest.ReferenceRow row : first.manifest().referenceRows()) {
            assertEquals(row.score(), ensemble.predict(row.features()), 1e-6);
        }
    }

    @Test
    void bundleSurvivesDiskAndWireRoundTripsWithStableBytes(@TempDir Path dir) throws Exception {
        first.writeTo(dir);
        final ModelBundle fromDisk = ModelBundle.readFrom(dir);
        assertArrayEquals(first.toBytes(), fromDisk.toBytes());
        assertEquals(ModelBundle.sha256(first.toBytes()), ModelBundle.sha256(ModelBundle.fromBytes(first.toBytes()).toBytes()));
        assertTrue(Files.readString(dir.resolve(ModelBundle.SUMS_FILE)).contains(first.manifest().modelSha256()));
    }

    @Test
    void tamperedModelIsRefused(@TempDir Path dir) throws Exception {
        first.writeTo(dir);
        final Path model = dir.resolve(first.manifest().modelFile());
        final byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 1;
        Files.write(model, bytes);
        final var e = assertThrows(ModelBundle.BundleException.class, () -> ModelBundle.readFrom(dir));
        assertTrue(e.getMessage().contains("sha256"));
    }

    @Test
    void differentSeedOrParamsGiveADifferentModel() throws Exception {
        assertNotEquals(first.manifest().modelSha256(), trainWith(5).manifest().modelSha256());
    }

    @Test
    void featuresCommandWritesTheEngineFeaturesForTheWindow(@TempDir Path dir) throws Exception {
        final Path csv = dir.resolve("f.csv");
        assertEquals(0, TrainerMain.commandLine().execute("features", "--data", dataset().toString(),
                "--from", "2018-05-10", "--to", "2018-05-11", "--out", csv.toString()));
        final List<String> lines = Files.readAllLines(csv);
        assertEquals("TRANSACTION_ID," + String.join(",", FeatureSpec.handbook().names()), lines.get(0));
        final List<Integer> day = table.between(LocalDate.parse("2018-05-10"), LocalDate.parse("2018-05-11"));
        assertEquals(day.size() + 1, lines.size(), "one row per transaction of the day");
        // The same engine, the same history: the command's rows are the trainer's feature rows.
        final int i = day.get(day.size() / 2);
        final String[] row = lines.get(day.size() / 2 + 1).split(",");
        assertEquals(table.rows().get(i).transactionId(), row[0]);
        for (int f = 0; f < 15; f++) {
            assertEquals(table.features()[i][f], Double.parseDouble(row[f + 1]), 0.0);
        }
    }

    @Test
    void badArgumentsGetOneLineAndNonZeroExit() {
        final var err = new ByteArrayOutputStream();
        final CommandLine cli = TrainerMain.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        assertEquals(2, cli.execute("train", "--out", "/tmp/x", "--max-depth", "3,zero"));
        assertTrue(err.toString().startsWith("error: "), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    private static ModelBundle train(long seed) throws Exception {
        return new Trainer(config(seed, 3), new PrintStream(new ByteArrayOutputStream())).train(table);
    }

    private static ModelBundle trainWith(int maxDepth) throws Exception {
        return new Trainer(config(0, maxDepth), new PrintStream(new ByteArrayOutputStream())).train(table);
    }

    /** A small protocol early in the data: 2 folds, a 2-point grid. */
    private static TrainerConfig config(long seed, int maxDepth) {
        return new TrainerConfig(dataset(), "fraud", LocalDate.parse("2018-05-08"), 7, 7, 7, 2, List.of(maxDepth),
                List.of(10, 20), List.of(0.3), "exact", seed, 2);
    }

    static Path dataset() {
        return dev.fraudscorer.data.DefaultDataset.require();
    }
}
