package dev.fraudscorer.scorer.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.fraudscorer.bundle.ModelBundle;
import dev.fraudscorer.scorer.ScorerConfig;
import dev.fraudscorer.scorer.control.LoadedModel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
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

    @Test
    void readsTheIdsOfTheCompilationsInProgressAndQueued() {
        // As JDK 17's Compiler.queue prints it: one in progress, two queued in C2, none in C1.
        assertEquals(Set.of(1201, 1192, 1536), CompileQueue.idsIn("""
                Current compiles:\s
                C2 CompilerThread0  1201   !   4       com.sun.tools.javac.jvm.ClassReader::classSigToType (497 bytes)

                C1 compile queue:
                Empty

                C2 compile queue:
                1192       4       com.sun.tools.javac.util.SharedNameTable::fromUtf (174 bytes)
                1536 %     4       Q::lambda$main$0 @ 4 (39 bytes)
                """));
        assertEquals(Set.of(), CompileQueue.idsIn("Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n"));
        // The JVM this runs on shows its queue; without it /ready would not wait for the JIT at all.
        assertNotNull(CompileQueue.ids());
    }
}
