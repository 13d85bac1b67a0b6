package dev.fraudscorer.infra.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

    @Test
    void faultsAreSpreadEvenlyOverTheLoadInTheOrderGiven() {
        final FaultPlan plan = FaultPlan.parse("scorer-kill9:2,broker-kill9:1,scale:1-3-1,registry-down:120s",
                Duration.ofSeconds(60));
        assertEquals(List.of(FaultPlan.Kind.SCORER_KILL9, FaultPlan.Kind.SCORER_KILL9, FaultPlan.Kind.BROKER_KILL9,
                FaultPlan.Kind.SCALE, FaultPlan.Kind.SCALE, FaultPlan.Kind.REGISTRY_DOWN),
                plan.steps().stream().map(FaultPlan.Step::kind).toList());
        assertEquals(List.of(1 / 7.0, 2 / 7.0, 3 / 7.0, 4 / 7.0, 5 / 7.0, 6 / 7.0),
                plan.steps().stream().map(FaultPlan.Step::atFraction).toList());
        assertEquals(List.of(3, 1), plan.steps().stream().filter(s -> s.kind() == FaultPlan.Kind.SCALE)
                .map(FaultPlan.Step::instances).toList());
        assertEquals(Duration.ofSeconds(60), plan.steps().get(2).down());
        assertEquals(Duration.ofMinutes(2), plan.steps().get(5).down());
        assertEquals(1, FaultPlan.initialInstances("scorer-kill9:1,scale:1-3-1", 2));
        assertEquals(2, FaultPlan.initialInstances("scorer-kill9:1", 2));
        assertTrue(FaultPlan.parse("none", Duration.ZERO).steps().isEmpty());
    }

    @Test
    void aModelSwapRepeatsInsteadOfTakingAPlace() {
        final FaultPlan plan = FaultPlan.parse("scorer-kill9:2,model-swap:30s", Duration.ZERO);
        assertEquals(Duration.ofSeconds(30), plan.swapEvery());
        assertEquals(List.of(1 / 3.0, 2 / 3.0), plan.steps().stream().map(FaultPlan.Step::atFraction).toList());
        assertEquals(Duration.ZERO, FaultPlan.parse("scorer-kill9:1", Duration.ZERO).swapEvery());
    }

    @Test
    void aFaultItCannotReadIsOneLineSayingTheForm() {
        for (String bad : List.of("scorer-kill9", "scorer-kill9:x", "scorer-kill9:0", "reboot:1", "scale:3",
                "registry-down:2h", "model-swap:500ms", "model-swap:x")) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FaultPlan.parse(bad, Duration.ZERO), bad);
            assertTrue(e.getMessage().startsWith("--faults: cannot read '"), e.getMessage());
            assertTrue(e.getMessage().contains("scorer-kill9:N"), e.getMessage());
        }
    }
}
