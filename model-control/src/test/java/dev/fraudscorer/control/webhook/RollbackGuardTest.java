package dev.fraudscorer.control.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fraudscorer.schema.ModelControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackGuardTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final RollbackGuard guard = new RollbackGuard(Duration.ofMinutes(30));

    @Test
    void rollsTheAlertedActiveVersionBackToItsPredecessor() {
        final var d = guard.decide(control(2, 1, List.of(), "alice", NOW.minusSeconds(60)), 2, NOW);
        assertTrue(d.rollback(), d::reason);
        assertEquals(1, d.target());
    }

    @Test
    void refusesAVersionThatIsNotActiveSoARepeatedNotificationDoesNothing() {
        final var d = guard.decide(control(1, 2, List.of(2), RollbackGuard.ISSUER, NOW.minus(Duration.ofHours(2))), 2, NOW);
        assertFalse(d.rollback());
        assertTrue(d.reason().contains("not active"), d.reason());
    }

    @Test
    void neverReturnsToAVersionRolledBackForCause() {
        final var d = guard.decide(control(3, 2, List.of(2), "alice", NOW.minus(Duration.ofHours(2))), 3, NOW);
        assertFalse(d.rollback());
        assertTrue(d.reason().contains("rolled back for cause"), d.reason());
    }

    @Test
    void atMostOneAutomaticRollbackPerCoolDownWhetherRecordedOrRemembered() {
        final var recorded = guard.decide(control(3, 1, List.of(), RollbackGuard.ISSUER, NOW.minus(Duration.ofMinutes(29))), 3, NOW);
        assertFalse(recorded.rollback());
        assertTrue(recorded.reason().contains("cool-down"), recorded.reason());
        final var after = guard.decide(control(3, 1, List.of(), RollbackGuard.ISSUER, NOW.minus(Duration.ofMinutes(31))), 3, NOW);
        assertTrue(after.rollback(), "the cool-down is over: " + after.reason());

        guard.rolledBack("fraud", NOW.minusSeconds(5));
        final var remembered = guard.decide(control(3, 1, List.of(), "alice", NOW.minusSeconds(1)), 3, NOW);
        assertFalse(remembered.rollback(), "a human promotion does not reset the cool-down");
    }

    @Test
    void refusesWithoutAVersionLabelOrAPredecessor() {
        assertFalse(guard.decide(control(2, 1, List.of(), "alice", NOW), null, NOW).rollback());
        assertFalse(guard.decide(control(2, null, List.of(), "alice", NOW), 2, NOW).rollback());
        assertFalse(guard.decide(null, 2, NOW).rollback());
    }

    @Test
    void parsesFiringRollbackAlertsFromAnAlertmanagerPayload() throws Exception {
        final String body = """
                {"version":"4","status":"firing","receiver":"rollback","alerts":[
                 {"status":"firing","labels":{"alertname":"FraudScorerOutlierSurge","model":"fraud","model_version":"7",
                  "rollback":"true"},"annotations":{"summary":"80% outliers"}},
                 {"status":"resolved","labels":{"alertname":"FraudScorerOutlierSurge","model_version":"6","rollback":"true"}},
                 {"status":"firing","labels":{"alertname":"FraudScorerHighLatencyP99","model_version":"7"}}]}""";
        final var alerts = AlertmanagerWebhook.parse(body.getBytes(StandardCharsets.UTF_8), "fraud");
        assertEquals(List.of(new AlertmanagerWebhook.RollbackAlert("FraudScorerOutlierSurge", "fraud", 7, "80% outliers")),
                alerts);
    }

    private static ModelControl control(int active, Integer previous, List<Integer> rolledBack, String by, Instant at) {
        return ModelControl.newBuilder().setModelName("fraud").setActiveVersion(active).setPreviousVersion(previous)
                .setRolledBack(rolledBack).setIssuedBy(by).setIssuedAt(at).setReason("r").setGeneration(5).build();
    }
}
