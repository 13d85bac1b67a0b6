package dev.fraudscorer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepoLayoutTest {

    @Test
    void theScorerStartsWithTheClassArchiveTheBuildWrote() throws Exception {
        final RepoLayout repo = RepoLayout.locate();
        final Path archive = repo.root().resolve("scorer-app/target/scorer-app.jsa");
        assumeTrue(Files.isRegularFile(archive), "scorer-app built without its archive (-Dcds.skip=true)");
        final List<String> command = new ArrayList<>(repo.javaJar(ChildProcess.javaBinary(), "scorer-app"));
        assertTrue(command.contains("-XX:SharedArchiveFile=" + archive), command.toString());
        // -Xshare:on makes a JVM refuse to start when the archive does not match its JDK and jars, where the
        // launchers' default (auto) would silently start without it.
        command.add(1, "-Xshare:on");
        command.add("--version");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out);
        assertTrue(out.contains("scorer-app"), out);
    }
}
