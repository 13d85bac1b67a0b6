package dev.fraudscorer.scorer.validate;

/**
 * A value on its way through the topology, or the reason it leaves for the dead-letter topic. Either way the
 * original value bytes travel along, so a dead letter always carries exactly what came in.
 */
public record Routed<T>(T value, DeadLetter deadLetter, byte[] original) {

    public static <T> Routed<T> ok(T value, byte[] original) {
        return new Routed<>(value, null, original);
    }

    public static <T> Routed<T> dead(DeadLetter deadLetter, byte[] original) {
        return new Routed<>(null, deadLetter, original);
    }

    public boolean isOk() {
        return deadLetter == null;
    }
}
