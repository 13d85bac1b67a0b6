package dev.fraudscorer.topics;

/**
 * Keys of the model-control topic: {@code <model>/<generation>}, one per record. Keyed by model name alone, a
 * compacted topic keeps only the last record written: a replayed older generation written after the newest would,
 * once compaction ran, be the only one left, and a restarted scorer would apply it. With one key per generation
 * compaction only ever collapses a record with its own replay (identical content), and every reader takes the
 * highest generation. Records keyed by the model name alone (written by earlier versions) are still read.
 */
public final class ControlKeys {

    private ControlKeys() {
    }

    public static String of(String model, long generation) {
        return model + "/" + generation;
    }

    /** The model a key belongs to: {@code fraud/7} and {@code fraud} both name {@code fraud}. */
    public static String modelOf(String key) {
        final int slash = key.lastIndexOf('/');
        return slash > 0 && isNumber(key.substring(slash + 1)) ? key.substring(0, slash) : key;
    }

    public static boolean isGenerationKey(String key) {
        return !modelOf(key).equals(key);
    }

    /** The generation a key names, or -1 for a key of the model name alone. */
    public static long generationOf(String key) {
        return isGenerationKey(key) ? Long.parseLong(key.substring(key.lastIndexOf('/') + 1)) : -1;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 19) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
