package dev.fraudscorer.scorer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Linux {@code perf}'s view of the scorer's stream thread during one benchmark run: every CPU sample, native code
 * included. JFR samples only threads running Java code, so RocksDB's JNI calls, the JVM's own stubs and the kernel
 * are missing from its table (it accounted for 8.2 of 26 us per record of the stream thread's CPU). perf samples
 * the whole machine ({@code -a}: attaching to one process is refused in some containers); the stream thread's
 * samples are picked by its native thread id, and JIT-compiled frames are named from the map the JVM writes on
 * {@code jcmd Compiler.perfmap}.
 */
final class PerfProfile {

    /** cpu-clock samples per second per CPU: one sample stands for about 2 ms of a thread's CPU. */
    private static final int HZ = 499;
    private static final Pattern NID = Pattern.compile("^\"([^\"]*)\".*nid=(0x[0-9a-f]+)");

    private final Path data;
    private final Process perf;
    private final Set<String> tids = new HashSet<>();

    private PerfProfile(Path data, Process perf) {
        this.data = data;
        this.perf = perf;
    }

    /** A recording of the whole machine, or null (and why, printed) where perf cannot record here. */
    static PerfProfile startIfAvailable(Path dir) throws Exception {
        if (!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+PreserveFramePointer")) {
            System.out.printf("%nperf profile skipped: perf walks Java stacks by frame pointers; add"
                    + " -Dsurefire.jvm.flags=-XX:+PreserveFramePointer%n");
            return null;
        }
        try {
            final Process probe = new ProcessBuilder("perf", "record", "-q", "-e", "cpu-clock", "-a", "-o",
                    dir.resolve("probe.perf").toString(), "--", "true").redirectErrorStream(true).start();
            final String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            final boolean recorded = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
            Files.deleteIfExists(dir.resolve("probe.perf"));
            if (!recorded) {
                probe.destroy();
                System.out.printf("%nperf profile skipped: `perf record -a` is not permitted here (%s)%n",
                        out.lines().findFirst().orElse("no output"));
                return null;
            }
        } catch (java.io.IOException e) {
            System.out.printf("%nperf profile skipped: no perf on PATH (Debian: apt-get install linux-perf)%n");
            return null;
        }
        final Path data = dir.resolve("scorer.perf");
        final Process perf = new ProcessBuilder("perf", "record", "-q", "-e", "cpu-clock", "-F", String.valueOf(HZ),
                "-g", "-a", "-o", data.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("perf-record.log").toFile()).start();
        return new PerfProfile(data, perf);
    }

    /** Notes the native ids of {@code applicationId}'s stream threads; call while they are alive. */
    void noteStreamThreads(String applicationId) {
        final String dump = diagnosticCommand("threadPrint");
        for (String line : dump.split("\n")) {
            final Matcher m = NID.matcher(line);
            if (m.find() && m.group(1).contains(applicationId) && m.group(1).matches(".*StreamThread-\\d+$")) {
                tids.add(String.valueOf(Long.decode(m.group(2))));
            }
        }
    }

    /**
     * Stops the recording and prints the stream threads' CPU per record: the native parts as perf counted them, the
     * Java part split by {@code javaSamples} (JFR's samples per part of the same run). perf alone cannot split Java:
     * the JVM's map names compiled methods only, so whatever the JIT inlined (the model into the scoring processor,
     * the Avro writer into the sink) counts as its caller.
     */
    void stopAndPrint(int records, Map<String, Integer> javaSamples) throws Exception {
        new ProcessBuilder("kill", "-INT", String.valueOf(perf.pid())).start().waitFor();
        perf.waitFor(60, TimeUnit.SECONDS);
        // The JIT's symbols, for perf script (it reads /tmp/perf-<pid>.map).
        diagnosticCommand("compilerPerfmap");
        final Map<String, Integer> counts = new LinkedHashMap<>();
        int total = 0;
        final Process script = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F", "tid,ip,sym,dso")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
            String tid = null;
            final List<String> stack = new ArrayList<>();
            for (String line = in.readLine(); ; line = in.readLine()) {
                // A sample is a line with its thread id, then one tab-indented line per frame, leaf first.
                final boolean header = line != null && !line.isBlank() && !line.startsWith("\t");
                if (line == null || header) {
                    if (tid != null && tids.contains(tid) && !stack.isEmpty()) {
                        total++;
                        counts.merge(kindOf(stack), 1, Integer::sum);
                    }
                    if (line == null) {
                        break;
                    }
                    tid = line.trim().split("\\s+")[0];
                    stack.clear();
                } else if (!line.isBlank()) {
                    stack.add(line.trim());
                }
            }
        }
        script.waitFor();
        // -Dperf.keep=<file>: the recording for perf report (with the thread ids printed here), else deleted.
        final String keep = System.getProperty("perf.keep", "");
        if (keep.isEmpty()) {
            Files.deleteIfExists(data);
        } else {
            Files.move(data, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("%nperf recording kept in %s (stream thread ids %s; JIT symbols in /tmp/perf-%d.map)%n",
                    keep, tids, ProcessHandle.current().pid());
        }
        final double usPerSample = 1e6 / HZ;
        final int javaCount = counts.getOrDefault(JAVA, 0);
        final int jfrTotal = javaSamples.entrySet().stream().filter(e -> !e.getKey().startsWith("RocksDB"))
                .mapToInt(Map.Entry::getValue).sum();
        final Map<String, Double> usPerRecord = new LinkedHashMap<>();
        counts.forEach((kind, n) -> {
            if (!kind.equals(JAVA)) {
                usPerRecord.put(kind, n * usPerSample / records);
            }
        });
        javaSamples.forEach((part, n) -> {
            if (!part.startsWith("RocksDB") && n > 0 && jfrTotal > 0) {
                usPerRecord.put(part, javaCount * usPerSample / records * n / jfrTotal);
            }
        });
        final double all = total * usPerSample / records;
        System.out.printf("%nThe same, native code included: the stream thread's CPU per record from perf (cpu-clock, %d Hz,"
                + " whole machine, the thread picked by id; %,d samples), its Java part (%.1f us) split by JFR's"
                + " shares above:%n", HZ, total, javaCount * usPerSample / records);
        System.out.printf("  %-50s %7s %12s%n", "part", "share", "us/record");
        usPerRecord.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(c -> System.out.printf("  %-50s %6.1f%% %12.2f%n", c.getKey(),
                        all == 0 ? 0 : 100.0 * c.getValue() / all, c.getValue()));
        System.out.printf("  %-50s %7s %12.1f%n", "total (stream thread, all code)", "", all);
    }

    /** A {@code jcmd} command run on this JVM (Thread.print is threadPrint), its output. */
    private static String diagnosticCommand(String operation) {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("jcmd " + operation + " failed on this JVM", e);
        }
    }

    private static final String JAVA = "Java";

    /**
     * What a perf stack (leaf first) is: a RocksDB call (its JNI entry anywhere on the stack), the kernel or the
     * JVM's runtime outside one, else Java.
     */
    static String kindOf(List<String> stack) {
        for (String frame : stack) {
            final String method = javaMethod(frame);
            if (method != null && (method.startsWith("RocksDB.") || method.contains("RocksIterator."))) {
                final String part = ScorerBenchmark.CostTable.partOfMethod(method);
                if (part != null) {
                    return part + " (native included)";
                }
            }
        }
        final String leaf = stack.get(0);
        if (leaf.contains("[kernel")) {
            return "kernel (system calls, page faults)";
        }
        if (leaf.contains("libjvm.so") || leaf.contains("Interpreter") || leaf.contains("Stub")) {
            return "JVM runtime (allocation, GC barriers, stubs)";
        }
        if (leaf.contains(".so")) {
            return "other native code";
        }
        return JAVA;
    }

    /**
     * {@code Class.method} of a JIT-compiled frame as the JVM's perf map names it
     * ({@code "<addr> void org.example.Outer$Inner.method(args) (/tmp/perf-1.map)"}), or null.
     */
    static String javaMethod(String frame) {
        final int paren = frame.indexOf('(');
        if (paren < 0 || !frame.contains("perf-") || frame.contains("::")) {
            return null;
        }
        final String qualified = frame.substring(frame.lastIndexOf(' ', paren) + 1, paren);
        final int dot = qualified.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        final String type = qualified.substring(0, dot);
        return type.substring(type.lastIndexOf('.') + 1) + qualified.substring(dot);
    }
}
