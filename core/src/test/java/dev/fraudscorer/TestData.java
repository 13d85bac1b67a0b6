package dev.fraudscorer;

import java.nio.file.Path;

/** Locates the shared dataset from a test, wherever Maven runs it. */
public final class TestData {

    private TestData() {
    }

    public static Path dataset() {
        return dev.fraudscorer.data.DefaultDataset.require();
    }
}
