package dev.fraudscorer.scorer.score;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.scorer.ScorerConfig;
import dev.fraudscorer.scorer.control.LoadedModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoringWarmupTest {

    @Test
    void warmsTheWholeCountUnlessTheDeadlinePassesFirst() throws Exception {
        final LoadedModel model = LoadedModel.load("fraud", 1,
                ModelBundle.readFrom(Path.of("src/test/resources/golden-bundle")),
                new ScorerConfig(Map.of()).featureCapabilities());
        assertEquals(300, ScoringWarmup.run(model, 300, Long.MAX_VALUE)[0]);
        // A deadline already passed: not one record more (a restart on a busy machine must not wait for it).
        assertEquals(0, ScoringWarmup.run(model, 300, System.nanoTime() - 1)[0]);
    }
}
