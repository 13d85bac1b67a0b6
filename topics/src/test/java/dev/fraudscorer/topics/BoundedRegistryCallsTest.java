package dev.fraudscorer.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedRegistryCallsTest {

    @Test
    void aRegistryThatNeverAnswersCostsTwoBoundedAttemptsThenFailsFastUntilTheCoolDownEnds() throws Exception {
        final BoundedRegistryCalls calls = new BoundedRegistryCalls(Duration.ofMillis(100), Duration.ofMillis(500));
        final CountDownLatch never = new CountDownLatch(1);
        final AtomicInteger requests = new AtomicInteger();
        final long start = System.nanoTime();
        final BoundedRegistryCalls.Timeout timeout = assertThrows(BoundedRegistryCalls.Timeout.class,
                () -> calls.call(7, () -> {
                    requests.incrementAndGet();
                    never.await();
                    return "never";
                }));
        assertEquals(2, requests.get(), "a second attempt on a new request");
        assertTrue(timeout.getMessage().contains("did not answer within 100 ms, 2 times (schema id 7)"), timeout.getMessage());
        assertThrows(BoundedRegistryCalls.Timeout.class, () -> calls.call(7, () -> {
            requests.incrementAndGet();
            return "x";
        }));
        assertEquals(2, requests.get(), "not asked again during the cool-down");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        Thread.sleep(600);
        assertEquals("answered", calls.call(7, () -> "answered"), "asked again after it");
    }

    @Test
    void aKeyThatAnsweredOnceRunsInlineAndFailuresOfTheCallPassThrough() {
        final BoundedRegistryCalls calls = new BoundedRegistryCalls(Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertEquals("first", calls.call("t", () -> "first"));
        final Thread caller = Thread.currentThread();
        assertEquals(caller, calls.call("t", Thread::currentThread), "warm: no thread hop");
        final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> calls.call("u", () -> {
                    throw new IllegalStateException("schema not found");
                }));
        assertEquals("schema not found", e.getMessage());
    }
}
