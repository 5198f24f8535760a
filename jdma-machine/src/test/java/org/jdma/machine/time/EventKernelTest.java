package org.jdma.machine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventKernelTest {

    private final EventKernel kernel = new EventKernel(1);
    private final List<String> ran = new ArrayList<>();

    private void at(long time, String label) {
        kernel.scheduleAt(time, label, () -> ran.add(label + "@" + kernel.now()));
    }

    @Test
    void shouldRunEventsByTimeThenInsertionOrder() {
        at(10, "a");
        at(5, "b");
        at(10, "c");
        at(5, "d");
        at(0, "e");
        assertEquals(5, kernel.pendingEvents());
        assertEquals(5, kernel.runUntilIdle());
        assertEquals(List.of("e@0", "b@5", "d@5", "a@10", "c@10"), ran);
        assertEquals(10, kernel.now());
        assertEquals(5, kernel.executedEvents());
        assertEquals(0, kernel.pendingEvents());
    }

    @Test
    void shouldKeepTotalOrderWhileTheHeapGrowsAndShrinks() {
        long seed = 0xABCDEFL;
        var rnd = new SplittableRandom(seed);
        List<long[]> order = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long seq = i;
            long t = kernel.now() + rnd.nextLong(200);   // many equal times: the sequence must break ties
            kernel.scheduleAt(t, "e" + i, () -> order.add(new long[] {t, seq}));
            if (i % 7 == 0) {
                kernel.step();   // interleave removals with insertions
            }
        }
        kernel.runUntilIdle();
        assertEquals(5_000, order.size(), "seed " + seed);
        for (int i = 1; i < order.size(); i++) {
            long[] p = order.get(i - 1);
            long[] c = order.get(i);
            assertTrue(p[0] < c[0] || (p[0] == c[0] && p[1] < c[1]),
                    "seed " + seed + ": event " + c[1] + "@" + c[0] + " ran after " + p[1] + "@" + p[0]);
        }
    }

    @Test
    void shouldRunSortedWhenAllEventsAreScheduledFirst() {
        var rnd = new SplittableRandom(99);
        List<long[]> order = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            long t = rnd.nextLong(50);
            long seq = i;
            kernel.scheduleAt(t, "e", () -> order.add(new long[] {t, seq}));
        }
        kernel.runUntilIdle();
        for (int i = 1; i < order.size(); i++) {
            long[] p = order.get(i - 1);
            long[] c = order.get(i);
            assertTrue(p[0] < c[0] || (p[0] == c[0] && p[1] < c[1]), "seed 99: event " + i + " out of order");
        }
    }

    @Test
    void shouldRunAnEventScheduledForNowAfterThoseAlreadyQueuedForNow() {
        kernel.scheduleAt(5, "first", () -> {
            ran.add("first");
            kernel.schedule(0, "nested", () -> ran.add("nested"));
        });
        kernel.scheduleAt(5, "second", () -> ran.add("second"));
        kernel.runUntilIdle();
        assertEquals(List.of("first", "second", "nested"), ran);
    }

    /**
     * Events for the current time take a queue of their own; mixed with heap events at the same
     * time, and past the queue's first capacity while it wraps, the order must still be (time,
     * order of scheduling).
     */
    @Test
    void shouldKeepTimeThenSchedulingOrderWhenManyEventsAreForNow() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        List<long[]> order = new ArrayList<>(); // {time, scheduling index} in the order run
        long[] scheduled = {0};
        Runnable[] spawn = new Runnable[1];
        spawn[0] = () -> {
            int children = random.nextInt(4);
            for (int i = 0; i < children && scheduled[0] < 20_000; i++) {
                long delay = random.nextInt(3) == 0 ? random.nextInt(1, 4) : 0;
                long index = scheduled[0]++;
                long at = kernel.now() + delay;
                kernel.schedule(delay, "e" + index, () -> {
                    order.add(new long[] {at, index});
                    spawn[0].run();
                });
            }
        };
        for (int i = 0; i < 200; i++) {
            long index = scheduled[0]++;
            long at = i % 3;
            kernel.scheduleAt(at, "root" + index, () -> {
                order.add(new long[] {at, index});
                spawn[0].run();
            });
        }
        kernel.runUntilIdle();
        assertEquals(scheduled[0], order.size(), "every event ran once");
        for (int i = 1; i < order.size(); i++) {
            long[] p = order.get(i - 1);
            long[] c = order.get(i);
            assertTrue(p[0] < c[0] || (p[0] == c[0] && p[1] < c[1]),
                    "event " + i + " (time " + c[0] + ", scheduled " + c[1] + ") ran after (" + p[0] + ", " + p[1] + ")");
        }
        assertEquals(0, kernel.pendingEvents());
    }

    /**
     * Delays scheduled often get a FIFO lane each (a few at a time, an emptied lane passing to the next
     * new delay); with more distinct delays than lanes, absolute times and runs cut at arbitrary
     * times, every event still runs by (time, scheduling order).
     */
    @Test
    void shouldKeepTimeThenSchedulingOrderWithMoreDelaysThanLanes() {
        SplittableRandom random = new SplittableRandom(11);
        long[] delays = {0, 5, 7, 11, 13, 17, 100, 250};
        List<long[]> order = new ArrayList<>(); // {time, scheduling index} in the order run
        long[] scheduled = {0};
        Runnable[] spawn = new Runnable[1];
        spawn[0] = () -> {
            int children = random.nextInt(3);
            for (int i = 0; i < children && scheduled[0] < 30_000; i++) {
                long index = scheduled[0]++;
                Runnable record = () -> {
                    order.add(new long[] {kernel.now(), index});
                    spawn[0].run();
                };
                if (random.nextInt(5) == 0) {
                    kernel.scheduleAt(kernel.now() + random.nextInt(300), "abs" + index, record);
                } else {
                    kernel.schedule(delays[random.nextInt(delays.length)], "e" + index, record);
                }
            }
        };
        for (int i = 0; i < 64; i++) {
            long index = scheduled[0]++;
            kernel.scheduleAt(i, "root" + index, () -> {
                order.add(new long[] {kernel.now(), index});
                spawn[0].run();
                spawn[0].run();
            });
        }
        while (kernel.pendingEvents() > 0) {
            kernel.runFor(random.nextInt(1, 400));
        }
        assertEquals(scheduled[0], order.size(), "every event ran once");
        for (int i = 1; i < order.size(); i++) {
            long[] p = order.get(i - 1);
            long[] c = order.get(i);
            assertTrue(p[0] < c[0] || (p[0] == c[0] && p[1] < c[1]),
                    "event " + i + " (time " + c[0] + ", scheduled " + c[1] + ") ran after (" + p[0] + ", " + p[1] + ")");
        }
    }

    @Test
    void shouldRunUntilATimeInclusiveAndAdvanceTheClockToIt() {
        at(10, "a");
        at(20, "b");
        at(21, "c");
        assertEquals(2, kernel.runUntil(20));
        assertEquals(List.of("a@10", "b@20"), ran);
        assertEquals(20, kernel.now());
        assertEquals(1, kernel.pendingEvents());
        assertEquals(0, kernel.runUntil(20));
        assertEquals(1, kernel.runUntil(100));
        assertEquals(100, kernel.now(), "no event left: the clock still moves to the target");
        assertEquals(0, kernel.runUntil(50), "a target in the past runs nothing");
        assertEquals(100, kernel.now(), "and never moves the clock back");
    }

    @Test
    void shouldRunForADuration() {
        at(10, "a");
        at(30, "b");
        kernel.runFor(15);
        assertEquals(15, kernel.now());
        assertEquals(List.of("a@10"), ran);
        kernel.runFor(15);
        assertEquals(List.of("a@10", "b@30"), ran);
        var e = assertThrows(IllegalArgumentException.class, () -> kernel.runFor(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void shouldRunUntilAConditionHoldsCheckingBeforeEachEvent() {
        int[] counter = {0};
        for (int i = 1; i <= 5; i++) {
            kernel.scheduleAt(i * 10, "inc", () -> counter[0]++);
        }
        assertTrue(kernel.runUntil(() -> counter[0] == 3));
        assertEquals(3, counter[0], "stops right after the event that made it true");
        assertEquals(30, kernel.now());
        assertTrue(kernel.runUntil(() -> counter[0] >= 3), "already true: runs nothing");
        assertEquals(30, kernel.now());
        assertFalse(kernel.runUntil(() -> counter[0] == 99), "idle and still false");
        assertEquals(5, counter[0]);
        assertEquals(50, kernel.now());
    }

    @Test
    void shouldGiveUpAtTheDeadlineWithTheClockAtTheDeadline() {
        boolean[] done = {false};
        kernel.scheduleAt(100, "tick", () -> { });
        kernel.scheduleAt(200, "done", () -> done[0] = true);
        assertFalse(kernel.runUntil(() -> done[0], 150));
        assertEquals(150, kernel.now());
        assertEquals(1, kernel.pendingEvents(), "the event after the deadline is still pending");
        assertTrue(kernel.runUntil(() -> done[0], 200), "an event exactly at the deadline runs");
        assertEquals(200, kernel.now());
        assertFalse(kernel.runUntil(() -> false, 1_000), "nothing pending: times out");
        assertEquals(1_000, kernel.now());
        assertFalse(kernel.runUntil(() -> false, 10));
        assertEquals(1_000, kernel.now(), "a deadline in the past never moves the clock back");
    }

    @Test
    void shouldRejectNegativeDelaysAndPastTimesNamingTheEvent() {
        kernel.runUntil(100);
        var neg = assertThrows(IllegalArgumentException.class, () -> kernel.schedule(-5, "doorbell", () -> { }));
        assertTrue(neg.getMessage().contains("doorbell") && neg.getMessage().contains("-5"), neg.getMessage());
        var past = assertThrows(IllegalArgumentException.class, () -> kernel.scheduleAt(99, "late", () -> { }));
        assertTrue(past.getMessage().contains("late") && past.getMessage().contains("99")
                && past.getMessage().contains("100"), past.getMessage());
        assertThrows(NullPointerException.class, () -> kernel.schedule(1, "x", null));
        assertThrows(ArithmeticException.class, () -> kernel.schedule(Long.MAX_VALUE, "overflow", () -> { }));
        assertEquals(0, kernel.pendingEvents());
        kernel.scheduleAt(100, "now is fine", () -> { });
        assertEquals(1, kernel.pendingEvents());
    }

    @Test
    void shouldWrapAnExceptionInAnEventWithItsLabelAndTime() {
        var boom = new IllegalArgumentException("boom");
        kernel.scheduleAt(42, "memcpy0 descriptor", () -> {
            throw boom;
        });
        at(50, "after");
        var e = assertThrows(IllegalStateException.class, kernel::runUntilIdle);
        assertTrue(e.getMessage().contains("memcpy0 descriptor") && e.getMessage().contains("42")
                && e.getMessage().contains("boom"), e.getMessage());
        assertSame(boom, e.getCause());
        // The failed event is gone; the kernel keeps working.
        assertEquals(1, kernel.pendingEvents());
        kernel.runUntilIdle();
        assertEquals(List.of("after@50"), ran);
    }

    @Test
    void shouldGiveTheSameRandomSequenceForTheSameSeed() {
        var a = new EventKernel(12345);
        var b = new EventKernel(12345);
        var c = new EventKernel(12346);
        long[] xa = new long[16];
        long[] xb = new long[16];
        long[] xc = new long[16];
        for (int i = 0; i < 16; i++) {
            xa[i] = a.random().nextLong();
            xb[i] = b.random().nextLong();
            xc[i] = c.random().nextLong();
        }
        assertEquals(java.util.Arrays.toString(xa), java.util.Arrays.toString(xb));
        assertNotEquals(java.util.Arrays.toString(xa), java.util.Arrays.toString(xc));
        assertEquals(12345, a.seed());
        assertSame(a.random(), a.random(), "one random source per machine");
    }

    @Test
    void shouldStepOneEventAtATime() {
        assertFalse(kernel.step());
        at(3, "a");
        at(7, "b");
        assertTrue(kernel.step());
        assertEquals(3, kernel.now());
        assertEquals(List.of("a@3"), ran);
        assertTrue(kernel.step());
        assertFalse(kernel.step());
        assertEquals(2, kernel.executedEvents());
    }
}
