package dev.fraudscorer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScorerMallocTest {

    @Test
    void jemallocIsTakenFromTheLinkersListingForThisArchitectureOnly(@TempDir Path dir) throws Exception {
        final Path lib64 = Files.createFile(dir.resolve("libjemalloc.so.2"));
        final Path lib32 = Files.createFile(dir.resolve("libjemalloc32.so.2"));
        final String listing = """
                1234 libs found in cache `/etc/ld.so.cache'
                	libjemalloc.so.2 (libc6) => %s
                	libjemalloc.so.2 (libc6,x86-64) => %s
                	libjemalloc.so (libc6,x86-64) => /nowhere/libjemalloc.so
                	libc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6
                """.formatted(lib32, lib64);
        assertEquals(Optional.of(lib64), ScorerMalloc.fromLdconfig(listing, "amd64"));
        assertEquals(Optional.empty(), ScorerMalloc.fromLdconfig(listing, "aarch64"));
        assertEquals(Optional.empty(), ScorerMalloc.fromLdconfig("""
                	libjemalloc.so.2 (libc6,x86-64) => %s
                """.formatted(dir.resolve("deleted-since")), "amd64"), "a listed file that is gone is not used");
    }

    @Test
    void systemAddsNothingAndAutoPreloadsWhatTheLinkerFinds() {
        assertEquals(Map.of(), ScorerMalloc.SYSTEM.environment());
        final Map<String, String> auto = ScorerMalloc.AUTO.environment();
        ScorerMalloc.find().ifPresentOrElse(
                lib -> assertTrue(auto.get("LD_PRELOAD").startsWith(lib.toString()), auto.toString()),
                () -> assertEquals(Map.of(), auto));
    }
}
