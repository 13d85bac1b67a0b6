package dev.fraudscorer.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The C allocator the scorer processes this launcher starts run with. RocksDB makes many small native allocations
 * from many threads, which fragment glibc's malloc: in the verifier's 30-minute soak a scorer's RSS kept growing
 * about 7 MB a minute after its block cache had reached its cap (the JVM's own native memory flat in NMT), and
 * under jemalloc it stayed flat (README, "What grows, found"). Kafka Streams' and RocksDB's own guides recommend
 * jemalloc for the same reason. It is preloaded ({@code LD_PRELOAD}) because a JVM cannot choose its malloc once
 * started; only the scorer gets it, not the brokers or the registry.
 */
public enum ScorerMalloc {
    /** jemalloc when the system has it, else the system's malloc. */
    AUTO,
    /** jemalloc, or a clear error when the system has none. */
    JEMALLOC,
    /** The C library's malloc (glibc's), as a plain {@code java -jar} gets. */
    SYSTEM;

    static final String LIBRARY = "libjemalloc.so.2";

    /**
     * @return the environment to add to a scorer's, empty for the system's malloc
     * @throws IllegalArgumentException for {@link #JEMALLOC} when the system has no jemalloc, saying how to get it
     */
    public Map<String, String> environment() {
        if (this == SYSTEM) {
            return Map.of();
        }
        final Optional<Path> library = find();
        if (library.isEmpty()) {
            if (this == JEMALLOC) {
                throw new IllegalArgumentException("--scorer-malloc=jemalloc: " + LIBRARY + " is not in the linker's"
                        + " cache (ldconfig -p); install it (Debian/Ubuntu: apt-get install libjemalloc2) or use"
                        + " --scorer-malloc=system");
            }
            return Map.of();
        }
        final String before = System.getenv("LD_PRELOAD");
        return Map.of("LD_PRELOAD", before == null || before.isBlank() ? library.get().toString()
                : library.get() + ":" + before);
    }

    /** @return jemalloc's shared library as the dynamic linker would find it, if the system has one */
    public static Optional<Path> find() {
        for (String ldconfig : List.of("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            try {
                final Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return fromLdconfig(out, System.getProperty("os.arch"));
                }
            } catch (IOException e) {
                // not at this path (a user's PATH may lack the sbin directories): try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Picks jemalloc from {@code ldconfig -p}'s listing, e.g. {@code libjemalloc.so.2 (libc6,x86-64) =>
     * /lib/x86_64-linux-gnu/libjemalloc.so.2}, for this JVM's architecture (a 32-bit copy may be listed too).
     */
    static Optional<Path> fromLdconfig(String listing, String osArch) {
        final String arch = switch (osArch) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64" -> "AArch64";
            default -> "";
        };
        for (String line : listing.split("\n")) {
            final String trimmed = line.trim();
            final int arrow = trimmed.indexOf("=>");
            if (trimmed.startsWith(LIBRARY + " ") && arrow > 0 && trimmed.substring(0, arrow).contains(arch)) {
                final Path path = Path.of(trimmed.substring(arrow + 2).trim());
                if (Files.isRegularFile(path)) {
                    return Optional.of(path);
                }
            }
        }
        return Optional.empty();
    }

    /** @return "jemalloc" if the running process {@code pid} has it mapped, "system malloc" if not, "unknown" if unreadable */
    public static String loadedIn(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "maps"), StandardCharsets.ISO_8859_1)
                    .contains("libjemalloc") ? "jemalloc" : "system malloc";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
