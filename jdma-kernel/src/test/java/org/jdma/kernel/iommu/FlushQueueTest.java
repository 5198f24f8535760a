package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.jdma.platform.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * Unmaps nested in a flush (an invalidation wait runs the machine, whose work unmaps on the same
     * CPU) queue behind a flush that already started, so a full ring can stay full after its flush:
     * the ring then holds more than its size, and every range is still released exactly once (the
     * outer ones oldest first; nested ones as their nested flushes complete). Several ring sizes and
     * nesting patterns, so the ring overflows with its oldest entry anywhere in its storage.
     */
    @ParameterizedTest
    @CsvSource({"2, 3, 0", "3, 4, 1", "4, 5, 2", "3, 2, 3", "5, 7, 1"})
    void shouldReleaseEveryRangeOnceWhenUnmapsNestInFlushes(int size, int nestedPerFlush, int quietFlushes) {
        List<Long> order = new ArrayList<>();
        long[] next = {1000};
        FlushQueue[] self = new FlushQueue[1];
        int[] flushCalls = {0};
        int[] mostPending = {0};
        self[0] = new FlushQueue(new FlushQueue.Owner() {
            @Override public void flushIotlbAll() {
                int call = flushCalls[0]++;
                if (call >= quietFlushes && call < quietFlushes + 6) { // then quiet again: the test ends drained
                    for (int k = 0; k < nestedPerFlush; k++) {
                        self[0].queue(next[0]++, 1, List.of());
                        mostPending[0] = Math.max(mostPending[0], self[0].pending());
                    }
                }
            }
            @Override public void release(long pfn, long pages, List<Long> tablePages) {
                order.add(pfn);
            }
        }, clock, size, 10_000_000L);
        for (long pfn = 1; pfn <= 40; pfn++) {
            self[0].queue(pfn, 1, List.of());
            assertTrue(self[0].holds(pfn) || order.contains(pfn), "pfn " + pfn + " held until released");
        }
        self[0].flushNow();
        self[0].flushNow();
        assertEquals(0, self[0].pending());
        assertEquals(order.stream().distinct().count(), order.size(), "released once each: " + order);
        List<Long> expected = new ArrayList<>();
        for (long p = 1; p <= 40; p++) {
            expected.add(p);
        }
        for (long p = 1000; p < next[0]; p++) {
            expected.add(p);
        }
        assertEquals(expected, order.stream().sorted().toList(), "every range released");
        List<Long> outer = order.stream().filter(p -> p < 1000).toList();
        assertEquals(outer.stream().sorted().toList(), outer, "oldest first");
        assertTrue(mostPending[0] > size, "the ring held more than its size: " + mostPending[0]);
    }

    /** A CPU's ring against a deque: wrapping around its storage and growing beyond it keep every range, in order. */
    @Test
    void shouldKeepQueuedRangesInOrderAcrossWrapAndGrowth() {
        FlushQueue.Ring ring = new FlushQueue.Ring(3);
        ArrayDeque<long[]> reference = new ArrayDeque<>();
        SplittableRandom random = new SplittableRandom(7);
        long pfn = 0;
        for (int step = 0; step < 5_000; step++) {
            if (reference.isEmpty() || random.nextInt(100) < (reference.size() < 20 ? 55 : 45)) {
                pfn += 1 + random.nextInt(4);
                long pages = 1 + random.nextInt(3);
                List<Long> tables = random.nextInt(10) == 0 ? List.of(pfn << 12) : List.of();
                ring.add(pfn, pages, tables, step, 10L * step);
                reference.addLast(new long[] {pfn, pages, step, 10L * step, tables.isEmpty() ? -1 : pfn << 12});
            } else {
                long[] e = reference.pollFirst();
                assertEquals(e[0], ring.headPfn(), "step " + step);
                assertEquals(e[1], ring.headPages());
                assertEquals(e[2], ring.headCounter());
                assertEquals(e[3], ring.headUnmappedAtNs());
                assertEquals(e[4] < 0 ? List.of() : List.of(e[4]), ring.headTablePages());
                ring.removeHead();
            }
            assertEquals(reference.size(), ring.size());
            long probe = pfn - random.nextInt(30);
            boolean held = reference.stream().anyMatch(e -> probe >= e[0] && probe < e[0] + e[1]);
            assertEquals(held, ring.covers(probe), "step " + step + ": covers " + probe);
        }
    }
}
