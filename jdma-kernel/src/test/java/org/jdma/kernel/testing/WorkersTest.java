package org.jdma.kernel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The helper that runs a test's workers: every failure in a worker, and every hang, fails the test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkersTest {

    @Test
    void shouldRunEveryWorkerOnceWithItsIndex() throws InterruptedException {
        AtomicInteger mask = new AtomicInteger();
        Workers.run(5, w -> mask.getAndUpdate(m -> m | 1 << w));
        assertEquals(0b11111, mask.get());
    }

    @Test
    void shouldFailWithEveryWorkersExceptionWhenWorkersThrow() {
        AssertionError e = assertThrows(AssertionError.class, () -> Workers.run(4, w -> {
            if (w % 2 == 1) {
                throw new IllegalStateException("worker " + w + " broke");
            }
        }));
        assertTrue(e.getMessage().startsWith("2 of 4 workers failed; worker 1: "), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(1, e.getSuppressed().length);
        assertEquals("worker 3 broke", e.getSuppressed()[0].getMessage());
    }

    @Test
    void shouldFailAnAssertionMadeInAWorker() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Workers.run(2, w -> assertEquals(0, w, "only worker 0 may pass")));
        assertTrue(e.getMessage().contains("only worker 0 may pass"), e.getMessage());
    }

    @Test
    void shouldFailWithTheStuckWorkersStackAndInterruptItAtTheDeadline() {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class, () -> Workers.run(2, Duration.ofMillis(200), w -> {
            if (w == 1) {
                try {
                    never.await();
                } catch (InterruptedException ie) {
                    interrupted.incrementAndGet();
                }
            }
        }));
        assertTrue(e.getMessage().startsWith("1 of 2 workers still running after PT0.2S"), e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertTrue(e.getSuppressed()[0].getMessage().startsWith("worker-1"), e.getSuppressed()[0].getMessage());
        assertTrue(Arrays.stream(e.getSuppressed()[0].getStackTrace()).anyMatch(f -> f.getMethodName().equals("await")),
                "the stack shows where it waits: " + Arrays.toString(e.getSuppressed()[0].getStackTrace()));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (interrupted.get() == 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(1, interrupted.get(), "the stuck worker was interrupted");
    }

    @Test
    void shouldRejectZeroWorkers() {
        assertThrows(IllegalArgumentException.class, () -> Workers.run(0, w -> { }));
    }
}
