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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainerTest {

    private static ModelBundle first;

    @BeforeAll
    static void trainOnce() throws Exception {
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
        assertEquals("2018-07-25", m.training().trainFrom());
        assertEquals("2018-07-29", m.training().testFrom(), "test starts after the gap");
        assertEquals(0L, m.params().get("seed") instanceof Number n ? n.longValue() : -1L);
        assertTrue(m.metrics().rocAuc() > 0.5 && m.metrics().rocAuc() <= 1, "ROC-AUC " + m.metrics().rocAuc());
        assertTrue(m.metrics().testFrauds() > 0);
        assertTrue(m.thresholds().review() <= m.thresholds().decline());
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
        assertNotEquals(first.manifest().modelSha256(), trainWith(3).manifest().modelSha256());
    }

    @Test
    void badArgumentsGetOneLineAndNonZeroExit() {
        final var err = new ByteArrayOutputStream();
        final CommandLine cli = TrainerMain.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        assertEquals(2, cli.execute("train", "--out", "/tmp/x", "--rounds", "zero"));
        assertTrue(err.toString().startsWith("error: "), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    private static ModelBundle train(long seed) throws Exception {
        return new Trainer(config(seed, 4), new PrintStream(new ByteArrayOutputStream())).train();
    }

    private static ModelBundle trainWith(int maxDepth) throws Exception {
        return new Trainer(config(0, maxDepth), new PrintStream(new ByteArrayOutputStream())).train();
    }

    private static TrainerConfig config(long seed, int maxDepth) {
        return new TrainerConfig(dataset(), "fraud", LocalDate.parse("2018-07-25"), 2, 2, 2, 20, maxDepth, 0.3, seed, 1);
    }

    static Path dataset() {
        return dev.fraudscorer.data.DefaultDataset.require();
    }
}
