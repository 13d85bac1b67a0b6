package dev.fraudscorer.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTreeTest {

    @Test
    void deletesATreeAndLeavesItsSiblings(@TempDir Path tmp) throws Exception {
        final Path tree = tmp.resolve("state");
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("a/b/000001.sst"), "x");
        Files.writeString(tree.resolve("checkpoint"), "y");
        final Path sibling = Files.writeString(tmp.resolve("keep"), "z");

        DirectoryTree.delete(tree);

        assertFalse(Files.exists(tree));
        assertTrue(Files.exists(sibling));
    }

    @Test
    void aMissingDirectoryIsNothingToDelete(@TempDir Path tmp) throws Exception {
        DirectoryTree.delete(tmp.resolve("never-made"));
        assertTrue(Files.exists(tmp));
    }
}
