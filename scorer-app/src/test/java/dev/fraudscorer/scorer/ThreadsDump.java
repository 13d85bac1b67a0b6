package dev.fraudscorer.scorer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.function.Predicate;

/** Stack traces of this JVM's threads, for a test that fails because something did not move in time. */
final class ThreadsDump {

    private ThreadsDump() {
    }

    static String of(Predicate<String> threadName) {
        final StringBuilder out = new StringBuilder();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            if (!threadName.test(info.getThreadName())) {
                continue;
            }
            out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState()).append('\n');
            for (StackTraceElement frame : info.getStackTrace()) {
                out.append("\tat ").append(frame).append('\n');
            }
        }
        return out.toString();
    }
}
