package dev.fraudscorer.infra;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * CPU time each process of the demo used while the replay ran (its pause excluded): where the machine's cores went.
 * On one machine the demo's own JVM (sending, and reading every verdict back with the registry's deserializer) and
 * the broker share the cores with the scorer, so its records/s is the whole system's, not the scorer's alone.
 */
final class ReplayCpu {

    private static final String[] NAMES = {"demo JVM (sender and reader)", "scorer", "broker", "registry"};

    private final LocalStack stack;
    /** The scorer process now: a restart during the pause replaces it. */
    private final Supplier<ChildProcess> scorer;
    private final long[] usedNanos = new long[NAMES.length];
    /** Of {@link #usedNanos}, what the JIT compiler threads used. */
    private final long[] compilerNanos = new long[NAMES.length];
    private long[] since;
    private long[] compilersSince;

    ReplayCpu(LocalStack stack, Supplier<ChildProcess> scorer) {
        this.stack = stack;
        this.scorer = scorer;
    }

    void start() {
        since = now();
        compilersSince = compilersNow();
    }

    void stop() {
        if (since == null) {
            return;
        }
        final long[] now = now();
        final long[] compilers = compilersNow();
        for (int i = 0; i < usedNanos.length; i++) {
            usedNanos[i] += now[i] - since[i];
            // A restart in between replaced the scorer: its new JVM's compilers started from zero.
            compilerNanos[i] += Math.max(0, compilers[i] - compilersSince[i]);
        }
        since = null;
    }

    /** What each process used, in CPU seconds and in cores over {@code seconds} of replay. */
    String describe(double seconds) {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            out.append(i == 0 ? "" : ", ").append(String.format("%s %.1f s (%.2f cores%s)", NAMES[i], usedNanos[i] / 1e9,
                    usedNanos[i] / 1e9 / seconds, compilerNanos[i] == 0 ? ""
                            : String.format("; JIT compilers %.1f s", compilerNanos[i] / 1e9)));
        }
        return out.append(String.format("; the machine has %d", Runtime.getRuntime().availableProcessors())).toString();
    }

    /** The JIT compiler threads' CPU of each process now (Linux; zeros elsewhere). */
    private long[] compilersNow() {
        final long brokers = java.util.Arrays.stream(stack.brokerPids()).map(CompilerCpu::nanos).sum();
        final long registry = stack.registryPid() < 0 ? 0 : CompilerCpu.nanos(stack.registryPid());
        return new long[] {CompilerCpu.nanos(ProcessHandle.current().pid()), CompilerCpu.nanos(scorer.get().pid()),
                brokers, registry};
    }

    private long[] now() {
        final java.time.Duration[] children = stack.childCpu();
        return new long[] {
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(),
                scorer.get().cpu().toNanos(), children[0].toNanos(), children[1].toNanos()};
    }
}
