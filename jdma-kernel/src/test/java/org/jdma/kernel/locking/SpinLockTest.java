package org.jdma.kernel.locking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's spin lock excludes: increments made under it by several threads are never lost. */
class SpinLockTest {

    private static final class Counter extends SpinLock {
        long value; // plain: only the lock orders it
    }

    @Test
    void shouldLoseNoIncrementUnderContention() throws InterruptedException {
        Counter c = new Counter();
        int threads = 4;
        int each = 200_000;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    c.lock();
                    try {
                        c.value++;
                    } finally {
                        c.unlock();
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        c.lock();
        try {
            assertEquals((long) threads * each, c.value);
        } finally {
            c.unlock();
        }
    }

    @Test
    void shouldReportHeldUntilUnlocked() {
        SpinLock lock = new SpinLock();
        assertFalse(lock.isLocked());
        lock.lock();
        assertTrue(lock.isLocked());
        lock.unlock();
        assertFalse(lock.isLocked());
        lock.lock(); // free again: taken at once
        assertTrue(lock.isLocked());
        lock.unlock();
    }
}
