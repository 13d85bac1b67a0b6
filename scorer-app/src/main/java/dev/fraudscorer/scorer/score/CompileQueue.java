package dev.fraudscorer.scorer.score;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import javax.management.ObjectName;

/**
 * Which compilations the JIT has in progress or queued, read through the JVM's own diagnostic command (what
 * {@code jcmd <pid> Compiler.queue} prints). Why it matters: on a busy 2-core machine the one C2 thread compiles one
 * method after another, 0.5-1.7 s each (JFR of the demo, 2026-12-07); records that arrive before the scoring path is
 * compiled run in slow code while a backlog builds.
 */
final class CompileQueue {

    private CompileQueue() {
    }

    /** The ids of the compilations in progress and queued, or null when this JVM does not offer the command. */
    static Set<Integer> ids() {
        try {
            final Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return out instanceof String text ? idsIn(text) : null;
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /**
     * Each task, current or queued, is one line naming its method as {@code Class::method}; its compile id, which
     * the JVM hands out in increasing order, is the line's first number.
     */
    static Set<Integer> idsIn(String compilerQueueOutput) {
        final Set<Integer> ids = new HashSet<>();
        for (String line : compilerQueueOutput.split("\n")) {
            if (line.contains("::")) {
                for (String token : line.trim().split("\\s+")) {
                    if (!token.isEmpty() && token.chars().allMatch(Character::isDigit)) {
                        ids.add(Integer.parseInt(token));
                        break;
                    }
                }
            }
        }
        return ids;
    }
}
