package dev.fraudscorer.infra.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults a verifier run injects, parsed from {@code --faults} (e.g.
 * {@code scorer-kill9:3,broker-kill9:1,scale:1-3-1,registry-down:120s,model-swap:30s}) and spread evenly over the
 * load, except the model swap, which repeats (promote / rollback alternating) every {@code swapEvery}.
 */
public record FaultPlan(List<Step> steps, Duration swapEvery) {

    /** What happens at one point of the load. */
    public enum Kind {
        /** SIGKILL one scorer instance, start it again with the same command after the restart delay. */
        SCORER_KILL9,
        /** SIGKILL one broker, start it again after the broker downtime. */
        BROKER_KILL9,
        /** Change the number of scorer instances (new ones start, surplus ones stop with SIGTERM). */
        SCALE,
        /** Stop the registry process for a while, then start it again. */
        REGISTRY_DOWN
    }

    /** @param atFraction where in the load (0..1) it happens; {@code instances} for SCALE, {@code down} for the rest */
    public record Step(Kind kind, double atFraction, int instances, Duration down) {
        @Override
        public String toString() {
            return switch (kind) {
                case SCORER_KILL9 -> "scorer kill -9";
                case BROKER_KILL9 -> "broker kill -9 (" + down.toSeconds() + " s down)";
                case SCALE -> "scale to " + instances;
                case REGISTRY_DOWN -> "registry down " + down.toSeconds() + " s";
            };
        }
    }

    public static FaultPlan none() {
        return new FaultPlan(List.of(), Duration.ZERO);
    }

    /**
     * @throws IllegalArgumentException with what is wrong and the expected form
     */
    public static FaultPlan parse(String spec, Duration brokerDown) {
        final List<Step> unplaced = new ArrayList<>();
        Duration swapEvery = Duration.ZERO;
        if (spec == null || spec.isBlank() || spec.equals("none")) {
            return none();
        }
        for (String part : spec.split(",")) {
            final String[] kv = part.trim().split(":", 2);
            if (kv.length != 2 || kv[1].isBlank()) {
                throw bad(part);
            }
            switch (kv[0]) {
                case "scorer-kill9" -> {
                    for (int i = 0; i < count(part, kv[1]); i++) {
                        unplaced.add(new Step(Kind.SCORER_KILL9, 0, 0, Duration.ZERO));
                    }
                }
                case "broker-kill9" -> {
                    for (int i = 0; i < count(part, kv[1]); i++) {
                        unplaced.add(new Step(Kind.BROKER_KILL9, 0, 0, brokerDown));
                    }
                }
                case "scale" -> {
                    final String[] sizes = kv[1].split("-");
                    if (sizes.length < 2) {
                        throw bad(part);
                    }
                    for (int i = 1; i < sizes.length; i++) {
                        unplaced.add(new Step(Kind.SCALE, 0, count(part, sizes[i]), Duration.ZERO));
                    }
                }
                case "registry-down" -> unplaced.add(new Step(Kind.REGISTRY_DOWN, 0, 0, duration(part, kv[1])));
                case "model-swap" -> {
                    swapEvery = duration(part, kv[1]);
                    if (swapEvery.toMillis() < 1_000) {
                        throw bad(part);
                    }
                }
                default -> throw bad(part);
            }
        }
        final List<Step> placed = new ArrayList<>();
        for (int i = 0; i < unplaced.size(); i++) {
            final Step s = unplaced.get(i);
            placed.add(new Step(s.kind(), (i + 1.0) / (unplaced.size() + 1), s.instances(), s.down()));
        }
        return new FaultPlan(List.copyOf(placed), swapEvery);
    }

    /** The first instance count of a {@code scale:a-b-c} step, or {@code fallback}. */
    public static int initialInstances(String spec, int fallback) {
        if (spec != null) {
            for (String part : spec.split(",")) {
                final String[] kv = part.trim().split(":", 2);
                if (kv.length == 2 && kv[0].equals("scale")) {
                    return count(part, kv[1].split("-")[0]);
                }
            }
        }
        return fallback;
    }

    public boolean has(Kind kind) {
        return steps.stream().anyMatch(s -> s.kind() == kind);
    }

    private static int count(String part, String text) {
        try {
            final int n = Integer.parseInt(text.trim());
            if (n < 1) {
                throw bad(part);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(part);
        }
    }

    private static Duration duration(String part, String text) {
        final String t = text.trim();
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
        } catch (NumberFormatException e) {
            throw bad(part);
        }
        throw bad(part);
    }

    private static IllegalArgumentException bad(String part) {
        return new IllegalArgumentException("--faults: cannot read '" + part.trim() + "'; use a comma list of"
                + " scorer-kill9:N, broker-kill9:N, scale:A-B[-C...], registry-down:DURATION (e.g. 120s),"
                + " model-swap:EVERY (at least 1s, e.g. 30s), or none");
    }
}
