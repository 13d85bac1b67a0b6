package dev.fraudscorer.infra;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the built artifacts are: the repository root is found from {@code -Dfraud.repo.root}, the location of
 * this jar ({@code infra/target/infra.jar}) or the working directory.
 */
public final class RepoLayout {

    private final Path root;

    private RepoLayout(Path root) {
        this.root = root;
    }

    public static RepoLayout locate() throws IOException {
        final String explicit = System.getProperty("fraud.repo.root");
        if (explicit != null) {
            return check(Path.of(explicit));
        }
        try {
            final Path code = Path.of(RepoLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("infra/server-runtime"))) {
                    return check(p);
                }
            }
        } catch (URISyntaxException | SecurityException ignored) {
            // fall through to the working directory
        }
        return check(Path.of("").toAbsolutePath());
    }

    private static RepoLayout check(Path root) throws IOException {
        final RepoLayout layout = new RepoLayout(root.toAbsolutePath().normalize());
        if (!Files.isDirectory(layout.kafkaLib()) || !Files.isRegularFile(layout.apicurioDir().resolve("quarkus-run.jar"))) {
            throw new IOException("the local stack's servers are not on disk under " + root.resolve("infra/server-runtime/target")
                    + "; run 'mvn -B -DskipTests package' at the repository root first");
        }
        return layout;
    }

    public Path root() {
        return root;
    }

    Path kafkaLib() {
        return root.resolve("infra/server-runtime/target/kafka-lib");
    }

    Path apicurioDir() {
        return root.resolve("infra/server-runtime/target/apicurio");
    }

    /** {@code <module>/target/<module>.jar}, which must have been built. */
    public Path moduleJar(String module) throws IOException {
        final Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing; run 'mvn -B -DskipTests package' at the repository root first");
        }
        return jar;
    }

    /**
     * How to run a module's jar: {@code java -jar <module>.jar}, with {@code -XX:SharedArchiveFile=<module>.jsa}
     * when the build wrote that class-data-sharing archive beside the jar (scorer-app's takes about 2 s off a scorer
     * start; model-control's most of a command's class loading). A JVM whose archive does not match it starts
     * without one.
     */
    public List<String> javaJar(String java, String module) throws IOException {
        final Path jar = moduleJar(module);
        final Path archive = jar.resolveSibling(module + ".jsa");
        return Files.isRegularFile(archive)
                ? List.of(java, "-XX:SharedArchiveFile=" + archive, "-jar", jar.toString())
                : List.of(java, "-jar", jar.toString());
    }

    /**
     * {@link #javaJar(String, String)} with JVM options right after the java binary, each checked to be one: a
     * {@code --scorer-java-option} given without its dash would otherwise reach the scorer as a setting.
     */
    public List<String> javaJar(String java, String module, List<String> javaOptions) throws IOException {
        checkJavaOptions(javaOptions);
        final List<String> plain = javaJar(java, module);
        final List<String> full = new java.util.ArrayList<>(plain.subList(0, 1));
        full.addAll(javaOptions);
        full.addAll(plain.subList(1, plain.size()));
        return full;
    }

    /** Refuses a {@code --scorer-java-option} that is not a JVM option, before anything starts. */
    public static void checkJavaOptions(List<String> javaOptions) {
        for (String option : javaOptions) {
            if (!option.startsWith("-")) {
                throw new IllegalArgumentException("--scorer-java-option '" + option + "' is not a JVM option; give one"
                        + " starting with '-', e.g. --scorer-java-option=-Xmx1g");
            }
        }
    }
}
