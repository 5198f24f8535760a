package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jdma.platform.Clock;
import org.junit.jupiter.api.Test;

class FlushQueueTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock implements Clock {
        long now;
        @Override public long now() { return now; }
        @Override public boolean runUntil(BooleanSupplier c) { return c.getAsBoolean(); }
        @Override public boolean runUntil(BooleanSupplier c, long t) { return c.getAsBoolean(); }
        @Override public void runFor(long d) { now += d; }
        @Override public void runUntilIdle() { }
    }

    private final ManualClock clock = new ManualClock();
    private final List<Long> released = new ArrayList<>();
    private final List<Long> releasedAtFlushCount = new ArrayList<>();
    private int flushes;

    private final FlushQueue fq = new FlushQueue(new FlushQueue.Owner() {
        @Override public void flushIotlbAll() { flushes++; clock.now += 500; }
        @Override public void release(long pfn, long pages, List<Long> tablePages) {
            released.add(pfn);
            releasedAtFlushCount.add((long) flushes);
        }
    }, clock, 4, 10_000_000L);

    @Test
    void shouldNotReleaseAnythingBeforeAFlushCompletes() {
        fq.queue(1, 1, List.of());
        fq.queue(2, 1, List.of());
        assertTrue(released.isEmpty());
        assertEquals(2, fq.pending());
        assertTrue(fq.holds(1));
        fq.flushNow();
        assertEquals(List.of(1L, 2L), released);
        assertEquals(List.of(1L, 1L), releasedAtFlushCount, "released only after the flush that followed them");
        assertEquals(fq.flushStartCount(), fq.flushFinishCount());
    }

    @Test
    void shouldForceAFlushWhenFull() {
        for (long pfn = 1; pfn <= 4; pfn++) {
            fq.queue(pfn, 1, List.of());
        }
        assertEquals(0, flushes);
        fq.queue(5, 1, List.of());
        assertEquals(1, flushes);
        assertEquals(List.of(1L, 2L, 3L, 4L), released);
        assertEquals(1, fq.pending());
        assertEquals(1, fq.stats().fullFlushes());
    }

    @Test
    void shouldFlushAfterTheTimeoutAndMeasureTheStaleWindow() {
        fq.queue(7, 1, List.of());
        clock.now += 9_999_999;
        assertFalse(fq.runTimer());
        clock.now += 1;
        assertTrue(fq.runTimer());
        assertEquals(List.of(7L), released);
        FlushQueue.Stats s = fq.stats();
        assertEquals(1, s.timeoutFlushes());
        assertEquals(10_000_500, s.staleMaxNs(), "unmap to flush completion (the flush itself took 500 ns)");
        assertTrue(s.staleMaxNs() > 0);
    }

    @Test
    void shouldCheckTheTimerOnQueue() {
        fq.queue(7, 1, List.of());
        clock.now += 20_000_000;
        fq.queue(8, 1, List.of());
        assertEquals(List.of(7L), released);
        assertEquals(1, fq.pending());
    }

    /** A clock with timers: due actions run when the test advances it. */
    private static final class TimerClock implements Clock {
        long now;
        final java.util.TreeMap<Long, List<Runnable>> timers = new java.util.TreeMap<>();
        @Override public long now() { return now; }
        @Override public boolean runUntil(BooleanSupplier c) { return c.getAsBoolean(); }
        @Override public boolean runUntil(BooleanSupplier c, long t) { return c.getAsBoolean(); }
        @Override public void runFor(long d) {
            long end = now + d;
            while (!timers.isEmpty() && timers.firstKey() <= end) {
                var e = timers.pollFirstEntry();
                now = e.getKey();
                e.getValue().forEach(Runnable::run);
            }
            now = end;
        }
        @Override public void runUntilIdle() { }
        @Override public void schedule(long delayNs, String label, Runnable action) {
            timers.computeIfAbsent(now + delayNs, k -> new ArrayList<>()).add(action);
        }
    }

    @Test
    void shouldFireItsTimerByItselfAndWaitWhileTheUnitIsBusy() {
        TimerClock tc = new TimerClock();
        boolean[] busy = {true};
        List<Long> freed = new ArrayList<>();
        FlushQueue q = new FlushQueue(new FlushQueue.Owner() {
            @Override public void flushIotlbAll() { }
            @Override public void release(long pfn, long pages, List<Long> tablePages) { freed.add(pfn); }
            @Override public boolean busy() { return busy[0]; }
        }, tc, 256, 10_000_000L);
        q.queue(3, 1, List.of());
        tc.runFor(10_000_000L);
        assertTrue(freed.isEmpty(), "the unit was busy at the deadline: the timer re-armed");
        busy[0] = false;
        tc.runFor(FlushQueue.TIMER_RETRY_NS);
        assertEquals(List.of(3L), freed);
        assertEquals(1, q.stats().timeoutFlushes());
        assertEquals(10_000_000L + FlushQueue.TIMER_RETRY_NS, q.stats().staleMaxNs());
    }
}
