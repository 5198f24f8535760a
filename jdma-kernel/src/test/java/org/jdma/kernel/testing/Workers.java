package org.jdma.kernel.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a test's body on several platform threads at once and turns whatever goes wrong in them
 * into a failure of the test: an exception or assertion error in any worker (the first as the
 * cause, the others suppressed), or a worker still running at the deadline (its stack trace is in
 * the failure, and it is interrupted). Without this, an exception in a worker thread only prints
 * and the test can pass, and a lost wake-up hangs the build instead of failing it.
 */
public final class Workers {

    /** What each worker runs; {@code worker} is its index, 0 to count - 1. */
    @FunctionalInterface
    public interface Body {
        void run(int worker) throws Exception;
    }

    /** The deadline {@link #run(int, Body)} gives the workers: far beyond what they need on a loaded 2-core box. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    private Workers() { }

    /** {@link #run(int, Duration, Body)} with {@link #DEFAULT_DEADLINE}. */
    public static void run(int count, Body body) throws InterruptedException {
        run(count, DEFAULT_DEADLINE, body);
    }

    /**
     * Starts {@code count} workers, releases them together, and waits for all of them for at most
     * {@code deadline}.
     *
     * @throws AssertionError if a worker threw, or had not finished by the deadline
     */
    public static void run(int count, Duration deadline, Body body) throws InterruptedException {
        if (count < 1) {
            throw new IllegalArgumentException("workers: " + count + ", need at least 1");
        }
        CountDownLatch start = new CountDownLatch(1);
        Throwable[] failures = new Throwable[count];
        Thread[] threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            int worker = i;
            threads[i] = Thread.ofPlatform().name("worker-" + i).start(() -> {
                try {
                    start.await();
                    body.run(worker);
                } catch (Throwable e) {
                    failures[worker] = e;
                }
            });
        }
        start.countDown();
        long end = System.nanoTime() + deadline.toNanos();
        try {
            for (Thread t : threads) {
                long left = end - System.nanoTime();
                if (left > 0) {
                    t.join(Duration.ofNanos(left));
                }
            }
        } catch (InterruptedException e) { // the test itself timed out: do not leave the workers behind
            for (Thread t : threads) {
                t.interrupt();
            }
            throw e;
        }
        List<Thread> stuck = new ArrayList<>();
        for (Thread t : threads) {
            if (t.isAlive()) {
                stuck.add(t);
            }
        }
        if (!stuck.isEmpty()) {
            AssertionError e = new AssertionError(stuck.size() + " of " + count + " workers still running after " + deadline
                    + "; their stacks follow as suppressed exceptions");
            for (Thread t : stuck) {
                Throwable where = new Throwable(t.getName() + " was here at the deadline");
                where.setStackTrace(t.getStackTrace());
                e.addSuppressed(where);
                t.interrupt();
            }
            throw e;
        }
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (failures[i] != null) {
                failed.add(i);
            }
        }
        if (!failed.isEmpty()) {
            int first = failed.getFirst();
            AssertionError e = new AssertionError(failed.size() + " of " + count + " workers failed; worker " + first + ": "
                    + failures[first], failures[first]);
            for (int i : failed.subList(1, failed.size())) {
                e.addSuppressed(failures[i]);
            }
            throw e;
        }
    }
}
