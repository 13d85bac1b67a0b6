package dev.fraudscorer.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK of at least a given feature version: JAVA_HOME, the running JVM, java on PATH, /usr/lib/jvm. */
final class JdkFinder {

    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private JdkFinder() {
    }

    static Path find(int minimum) throws IOException {
        final List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("java.home")));
        Optional.ofNullable(System.getenv("PATH")).ifPresent(path -> {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                final Path java = Path.of(dir, "java");
                if (Files.isExecutable(java)) {
                    try {
                        candidates.add(java.toRealPath().getParent().getParent());
                    } catch (IOException ignored) {
                        // broken link: skip
                    }
                }
            }
        });
        final Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.sorted().forEach(candidates::add);
            }
        }
        for (Path home : candidates) {
            if (version(home) >= minimum && Files.isExecutable(home.resolve("bin/java"))) {
                return home.resolve("bin/java");
            }
        }
        throw new IOException("the Apicurio Registry server needs a JDK " + minimum + " or newer and none was found"
                + " (looked at JAVA_HOME, the running JVM, PATH and /usr/lib/jvm); install one, e.g. Temurin 25, and"
                + " set JAVA_HOME or put it under /usr/lib/jvm");
    }

    private static int version(Path home) {
        try {
            final Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
