package dev.fraudscorer.scorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceIdentityTest {

    @TempDir
    Path dir;

    @Test
    void theSameStateDirIsTheSameInstanceAndAnotherIsNot() {
        final String first = InstanceIdentity.resolve("", "fraud-scorer", dir.resolve("a"));
        assertEquals(first, InstanceIdentity.resolve("", "fraud-scorer", dir.resolve("a")), "kept across restarts");
        assertNotEquals(first, InstanceIdentity.resolve("", "fraud-scorer", dir.resolve("b")));
        assertTrue(Files.exists(dir.resolve("a/fraud-scorer.instance-id")));
        assertTrue(first.matches("[a-zA-Z0-9._-]+"), first);
    }

    @Test
    void aConfiguredIdWinsAndIsMadeLegalForKafka() {
        assertEquals("scorer_eu-1_a", InstanceIdentity.resolve("scorer@eu-1/a", "fraud-scorer", dir));
        assertTrue(InstanceIdentity.resolve("x".repeat(400), "app", dir).length() <= 200);
    }
}
