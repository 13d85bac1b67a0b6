package dev.fraudscorer.topics;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Bounds the calls of an Apicurio serde that may go to the registry. Its HTTP client has no request timeout, and a
 * request the registry never answers waits forever: seen as a CLI `promote` blocked in the serializer's schema
 * lookup (a fresh-clone test run stalled on it), and as a scorer that produced no verdicts in CI. A serde talks to
 * the registry only the first time it meets a schema (then it caches), so the first call per key (a topic for a
 * serializer, a schema id for a deserializer) runs on a daemon thread and is waited for at most {@link #ATTEMPT};
 * an attempt that times out is abandoned (its thread may hang on) and a second one is made on a new request; if that
 * one times out too the call fails with {@link Timeout}, and calls for that key fail at once for {@link #COOL_DOWN}
 * (a registry that hangs costs a caller one bounded wait, not one per record). Keys that succeeded once run inline,
 * without a thread hop.
 */
public final class BoundedRegistryCalls {

    /** One lookup against a registry on this machine takes milliseconds; its first, a second or two. */
    static final Duration ATTEMPT = Duration.ofSeconds(5);
    static final int ATTEMPTS = 2;
    static final Duration COOL_DOWN = Duration.ofSeconds(30);

    /** The registry did not answer in time: nothing is wrong with the record, ask again later. */
    public static final class Timeout extends SerializationException {
        public Timeout(String message) {
            super(message);
        }
    }

    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "registry-call");
        t.setDaemon(true);
        return t;
    });

    private final Set<Object> warm = ConcurrentHashMap.newKeySet();
    private final Map<Object, Long> coolingUntil = new ConcurrentHashMap<>();
    private final Duration attempt;
    private final Duration coolDown;

    BoundedRegistryCalls(Duration attempt, Duration coolDown) {
        this.attempt = attempt;
        this.coolDown = coolDown;
    }

    /** Whether {@code key} answered once: the caller may then call its serde inline (no lambda, no lookup). */
    boolean isWarm(Object key) {
        return warm.contains(key);
    }

    <T> T call(Object key, Callable<T> call) {
        if (warm.contains(key)) {
            return run(call);
        }
        final Long until = coolingUntil.get(key);
        if (until != null && System.nanoTime() - until < 0) {
            throw new Timeout("the schema registry did not answer for " + describe(key) + " less than " + coolDown.toSeconds()
                    + " s ago; not asked again yet");
        }
        for (int i = 1; i <= ATTEMPTS; i++) {
            final Future<T> future = CALLS.submit(call);
            try {
                final T value = future.get(attempt.toMillis(), TimeUnit.MILLISECONDS);
                warm.add(key);
                coolingUntil.remove(key);
                return value;
            } catch (TimeoutException e) {
                // Abandoned: its thread may wait on; the next attempt is a new request.
                future.cancel(true);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new SerializationException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Timeout("interrupted while waiting for the schema registry (" + describe(key) + ")");
            }
        }
        coolingUntil.put(key, System.nanoTime() + coolDown.toNanos());
        throw new Timeout("the schema registry did not answer within " + attempt.toMillis() + " ms, " + ATTEMPTS
                + " times (" + describe(key) + ")");
    }

    /** Readers key by schema id, writers by topic. */
    private static String describe(Object key) {
        return key instanceof Integer ? "schema id " + key : "the writer schema of " + key;
    }

    private static <T> T run(Callable<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SerializationException(e);
        }
    }
}
