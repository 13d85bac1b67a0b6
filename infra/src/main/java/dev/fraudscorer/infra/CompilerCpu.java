package dev.fraudscorer.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time a HotSpot JVM's JIT compiler threads have used, read from Linux's {@code /proc/<pid>/task}: the threads
 * named {@code C1 CompilerThread*} and {@code C2 CompilerThread*}. A fresh JVM compiles while it serves, and on two
 * cores that is a part of the demo's replay worth printing (perf: a third of the machine in the eighth session's
 * replay). Compiler threads the JVM retired in between are not counted, so this is at least what compiling took.
 * Zero where {@code /proc} is missing.
 */
final class CompilerCpu {

    /** Linux's {@code USER_HZ}, the unit of {@code /proc}'s times: 100 on every x86-64 and arm64 kernel. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CompilerCpu() {
    }

    static long nanos(long pid) {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                ticks += compilerTicks(thread);
            }
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux, or the process is gone
        }
        return ticks * NANOS_PER_TICK;
    }

    private static long compilerTicks(Path thread) {
        try {
            final String name = Files.readString(thread.resolve("comm")).trim();
            if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                return 0;
            }
            return ticksOf(Files.readString(thread.resolve("stat")));
        } catch (IOException e) {
            return 0; // the thread ended while we looked
        }
    }

    /** utime + stime of a {@code /proc/.../stat} line (fields 14 and 15; the name in parentheses may hold spaces). */
    static long ticksOf(String stat) {
        final String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after[0] is field 3 (state), so field n is after[n - 3]
        return Long.parseLong(after[11]) + Long.parseLong(after[12]);
    }
}
