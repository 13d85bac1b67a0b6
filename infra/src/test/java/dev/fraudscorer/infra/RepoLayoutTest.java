package dev.fraudscorer.infra;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RepoLayoutTest {

    @Test
    void aScorerJavaOptionWithoutItsDashIsRefusedNamingIt() {
        assertDoesNotThrow(() -> RepoLayout.checkJavaOptions(List.of("-Xmx1g", "-XX:StartFlightRecording")));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RepoLayout.checkJavaOptions(List.of("-Xmx1g", "Xmx1g")));
        assertTrue(e.getMessage().contains("'Xmx1g' is not a JVM option") && e.getMessage().contains("-Xmx1g"),
                e.getMessage());
    }
}
