package org.jdma.kernel.iommu.iova;

import static org.jdma.kernel.iommu.iova.IovaAllocator.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.testing.Workers;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link IovaAllocator}, run against every implementation (one subclass each).
 * Ranges are checked as the allocator really occupies them ({@link #occupiedPages}): the cached
 * allocator rounds small sizes up to a power of two.
 */
abstract class IovaAllocatorContractTest {

    /** A fresh allocator of 4 KiB granules starting at pfn 1. */
    abstract IovaAllocator create();

    /** Pages the allocator really takes for a request of {@code pages}. */
    abstract long occupiedPages(long pages);

    /** Checks the implementation's internal structure; throws when broken. */
    abstract void checkInternals(IovaAllocator a);

    record Range(long pfn, long pages, long occupied) {
        long last() {
            return pfn + occupied - 1;
        }
    }

    static long roundUpPow2(long n) {
        return n == 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }

    Range alloc(IovaAllocator a, long pages, long limit) {
        long pfn = a.allocate(pages, limit);
        assertNotEquals(NONE, pfn, () -> "allocation of " + pages + " pages under limit " + limit + " failed");
        return new Range(pfn, pages, occupiedPages(pages));
    }

    // ---------------------------------------------------------------- placement

    @Test
    void shouldAllocateTopDownFromTheLimit() {
        IovaAllocator a = create();
        assertEquals(1000, a.allocate(1, 1000));
        assertEquals(999, a.allocate(1, 1000));
        assertEquals(992, a.allocate(4, 1000)); // below 999, aligned to 4
    }

    @Test
    void shouldAlignPowerOfTwoSizesToTheirSize() {
        IovaAllocator a = create();
        for (long pages = 1; pages <= 256; pages <<= 1) {
            for (int i = 0; i < 3; i++) {
                long pfn = a.allocate(pages, 100_000 - i * 7);
                assertNotEquals(NONE, pfn);
                assertEquals(0, pfn % pages, "pfn " + pfn + " of a " + pages + "-page allocation");
            }
        }
    }

    @Test
    void shouldAlignOtherSizesToTheNextPowerOfTwoAsLinuxSizeAlignedDoes() {
        IovaAllocator a = create();
        for (long pages : new long[] {3, 5, 7, 12, 33, 100}) {
            long pfn = a.allocate(pages, 50_000);
            assertEquals(0, pfn % roundUpPow2(pages), "pfn " + pfn + " of a " + pages + "-page allocation");
        }
    }

    @Test
    void shouldKeepEveryRangeWithinItsLimit() {
        IovaAllocator a = create();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            long pages = 1 + rnd.nextInt(40);
            long limit = 64 + rnd.nextInt(1 << 16);
            long pfn = a.allocate(pages, limit);
            if (pfn != NONE) {
                assertTrue(pfn + occupiedPages(pages) - 1 <= limit,
                        "range at " + pfn + " of " + pages + " pages passes limit " + limit);
            }
        }
    }

    @Test
    void shouldNeverHandOutPfnZero() {
        IovaAllocator a = create();
        assertEquals(3, a.allocate(1, 3));
        assertEquals(2, a.allocate(1, 3));
        assertEquals(1, a.allocate(1, 3));
        assertEquals(NONE, a.allocate(1, 3));
        assertEquals(NONE, a.allocate(1, 0));
        assertFalse(a.isAllocated(0));
    }

    @Test
    void shouldFailAllocationsThatCanOnlyFitAtPfnZero() {
        IovaAllocator a = create();
        // 4 pages aligned to 4 below limit 6 could only start at 0
        assertEquals(NONE, a.allocate(4, 6));
        assertEquals(4, a.allocate(4, 7));
    }

    @Test
    void shouldReturnNoneWhenExhaustedAndReuseAFreedRange() {
        IovaAllocator a = create();
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            got.add(alloc(a, 1, 15).pfn());
        }
        assertEquals(NONE, a.allocate(1, 15));
        assertEquals(NONE, a.allocate(2, 15));
        a.free(got.get(4), 1);
        assertEquals(got.get(4), a.allocate(1, 15));
        assertEquals(NONE, a.allocate(1, 15));
    }

    @Test
    void shouldFillTheWholeWindowAfterEverythingWasFreed() {
        IovaAllocator a = create();
        int k = 10;
        long limit = (1L << (k + 1)) - 1; // window [1, 2047]
        SplittableRandom rnd = new SplittableRandom(3);
        List<Range> live = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long pages = 1 + rnd.nextInt(20);
            long pfn = a.allocate(pages, limit);
            if (pfn != NONE) {
                live.add(new Range(pfn, pages, occupiedPages(pages)));
            }
        }
        assertFalse(live.isEmpty());
        for (Range r : live) {
            a.free(r.pfn(), r.pages());
        }
        // 1024 + 512 + ... + 1 pages = 2047 pages: the window exactly, top down
        long expectedPfn = 1L << k;
        for (int order = k; order >= 0; order--) {
            long pages = 1L << order;
            assertEquals(expectedPfn, a.allocate(pages, limit), "the " + pages + "-page piece of the full window");
            expectedPfn >>= 1;
        }
        assertEquals(NONE, a.allocate(1, limit));
        for (long pfn = 1; pfn <= limit; pfn++) {
            assertTrue(a.isAllocated(pfn), "pfn " + pfn);
        }
    }

    // ---------------------------------------------------------------- reservations

    @Test
    void shouldNeverHandOutReservedRanges() {
        IovaAllocator a = create();
        a.reserve(10, 19);
        a.reserve(40, 40);
        a.reserve(60, 127); // beyond the limit used below: harmless
        long handedOut = 0;
        long pfn;
        while ((pfn = a.allocate(1, 63)) != NONE) {
            assertFalse(pfn >= 10 && pfn <= 19 || pfn == 40 || pfn >= 60, "reserved pfn " + pfn + " handed out");
            handedOut++;
        }
        assertEquals(63 - 10 - 1 - 4, handedOut);
        assertTrue(a.isAllocated(15));
        assertTrue(a.isAllocated(40));
        checkInternals(a);
    }

    @Test
    void shouldMergeOverlappingReservations() {
        IovaAllocator a = create();
        a.reserve(100, 200);
        a.reserve(150, 300);
        a.reserve(50, 120);
        a.reserve(301, 310); // touching
        for (long pfn = 50; pfn <= 310; pfn++) {
            assertTrue(a.isAllocated(pfn), "pfn " + pfn);
        }
        assertFalse(a.isAllocated(49));
        assertFalse(a.isAllocated(311));
        // Still one reservation: nothing of it can be freed, and nothing inside is handed out.
        assertThrows(IllegalArgumentException.class, () -> a.free(50, 261));
        checkInternals(a);
        long pfn;
        while ((pfn = a.allocate(2, 511)) != NONE) {
            assertTrue(pfn + 1 < 50 || pfn > 310, "pfn " + pfn + " inside the merged reservation");
        }
        checkInternals(a);
    }

    @Test
    void shouldRejectAReservationOverlappingALiveAllocation() {
        IovaAllocator a = create();
        long pfn = a.allocate(8, 1000);
        var e = assertThrows(IllegalArgumentException.class, () -> a.reserve(pfn + 3, pfn + 20));
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(pfn)), e.getMessage());
    }

    @Test
    void shouldRejectInvertedReservations() {
        IovaAllocator a = create();
        assertThrows(IllegalArgumentException.class, () -> a.reserve(20, 10));
        assertThrows(IllegalArgumentException.class, () -> a.reserve(-1, 10));
    }

    // ---------------------------------------------------------------- bad frees and requests

    @Test
    void shouldRejectFreeOfARangeNeverAllocated() {
        IovaAllocator a = create();
        a.allocate(1, 1000);
        var e = assertThrows(IllegalArgumentException.class, () -> a.free(0x123, 1));
        assertTrue(e.getMessage().contains("0x123"), e.getMessage());
    }

    @Test
    void shouldRejectDoubleFree() {
        IovaAllocator a = create();
        long pfn = a.allocate(2, 1000);
        a.allocate(2, 1000);
        a.free(pfn, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> a.free(pfn, 2));
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(pfn)), e.getMessage());
    }

    @Test
    void shouldRejectDoubleFreeOfALargeRange() {
        IovaAllocator a = create();
        long pfn = a.allocate(64, 100_000);
        a.free(pfn, 64);
        assertThrows(IllegalArgumentException.class, () -> a.free(pfn, 64));
    }

    @Test
    void shouldRejectFreeWithAnotherSize() {
        IovaAllocator a = create();
        long pfn = a.allocate(4, 1000);
        var e = assertThrows(IllegalArgumentException.class, () -> a.free(pfn, 1));
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(pfn)), e.getMessage());
        a.free(pfn, 4);
    }

    @Test
    void shouldRejectFreeOfAReservedRange() {
        IovaAllocator a = create();
        a.reserve(16, 31);
        assertThrows(IllegalArgumentException.class, () -> a.free(16, 16));
        assertTrue(a.isAllocated(16));
    }

    @Test
    void shouldRejectEmptyAndOutOfRangeRequests() {
        IovaAllocator a = create();
        assertThrows(IllegalArgumentException.class, () -> a.allocate(0, 1000));
        assertThrows(IllegalArgumentException.class, () -> a.allocate(-4, 1000));
        assertThrows(IllegalArgumentException.class, () -> a.allocate(1, -1));
        assertThrows(IllegalArgumentException.class, () -> a.free(1, 0));
    }

    @Test
    void shouldReportFreedRangesAsNotAllocated() {
        IovaAllocator a = create();
        long pfn = a.allocate(4, 1000);
        assertTrue(a.isAllocated(pfn + 3));
        a.free(pfn, 4);
        for (long p = pfn; p < pfn + 4; p++) {
            assertFalse(a.isAllocated(p), "pfn " + p);
        }
    }

    // ---------------------------------------------------------------- randomized

    static final long SPACE_LIMIT = 1023;

    @Test
    void shouldKeepRangesDisjointAlignedAndCompleteUnderRandomAllocFree() {
        for (long seed = 1; seed <= 12; seed++) {
            runRandom(seed, 3000);
        }
    }

    private void runRandom(long seed, int ops) {
        SplittableRandom rnd = new SplittableRandom(seed);
        IovaAllocator a = create();
        BitSet occupied = new BitSet();
        occupied.set(0); // pfn 0 is never available
        long resLo = 1 + rnd.nextInt(900);
        long resHi = resLo + rnd.nextInt(60);
        a.reserve(resLo, resHi);
        occupied.set((int) resLo, (int) resHi + 1);
        BitSet liveBits = new BitSet();
        List<Range> live = new ArrayList<>();
        for (int op = 0; op < ops; op++) {
            String where = "seed " + seed + ", op " + op;
            int dice = rnd.nextInt(100);
            if (dice < 1) {
                long lo = 1 + rnd.nextInt((int) SPACE_LIMIT);
                long hi = Math.min(SPACE_LIMIT, lo + rnd.nextInt(8));
                int clash = liveBits.nextSetBit((int) lo);
                if (clash >= 0 && clash <= hi) {
                    assertThrows(IllegalArgumentException.class, () -> a.reserve(lo, hi),
                            where + ": reserve [" + lo + ", " + hi + "] over live pfn " + clash);
                } else {
                    a.reserve(lo, hi);
                    occupied.set((int) lo, (int) hi + 1);
                }
            } else if (live.isEmpty() || dice < 56) {
                long pages = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(40) : 1 + rnd.nextInt(8);
                long limit = rnd.nextBoolean() ? SPACE_LIMIT : pages + rnd.nextLong(SPACE_LIMIT - pages + 1);
                long pfn = a.allocate(pages, limit);
                long occ = occupiedPages(pages);
                if (pfn == NONE) {
                    long free = findFreeAlignedGap(occupied, occ, limit);
                    if (free >= 0) {
                        fail(where + ": NONE for " + pages + " pages under limit " + limit + " but pfn " + free
                                + " was free");
                    }
                    continue;
                }
                Range r = new Range(pfn, pages, occ);
                if (pfn < 1 || r.last() > limit) {
                    fail(where + ": " + r + " outside [1, " + limit + "]");
                }
                if (pfn % roundUpPow2(occ) != 0) {
                    fail(where + ": " + r + " not aligned to " + roundUpPow2(occ));
                }
                int clash = occupied.nextSetBit((int) pfn);
                if (clash >= 0 && clash <= r.last()) {
                    fail(where + ": " + r + " overlaps pfn " + clash + " (live, reserved or 0)");
                }
                occupied.set((int) pfn, (int) r.last() + 1);
                liveBits.set((int) pfn, (int) r.last() + 1);
                live.add(r);
            } else {
                int i = rnd.nextInt(live.size());
                Range r = live.get(i);
                live.set(i, live.getLast());
                live.removeLast();
                a.free(r.pfn(), r.pages());
                occupied.clear((int) r.pfn(), (int) r.last() + 1);
                liveBits.clear((int) r.pfn(), (int) r.last() + 1);
            }
            if (op % 250 == 0) {
                try {
                    checkInternals(a);
                } catch (IllegalStateException e) {
                    fail(where + ": " + e.getMessage(), e);
                }
                for (int probe = 0; probe < 40; probe++) {
                    long p = 1 + rnd.nextInt((int) SPACE_LIMIT);
                    assertEquals(occupied.get((int) p), a.isAllocated(p), where + ": isAllocated(" + p + ")");
                }
            }
        }
    }

    /** The first aligned position where {@code size} pages fit in [1, limit], or -1. */
    private static long findFreeAlignedGap(BitSet occupied, long size, long limit) {
        long align = roundUpPow2(size);
        for (long p = align; p + size - 1 <= limit; p += align) {
            int next = occupied.nextSetBit((int) p);
            if (next < 0 || next > p + size - 1) {
                return p;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- concurrency (checklist row 44)

    @Test
    void shouldHandOutPairwiseDisjointRangesToEightConcurrentThreads() throws Exception {
        IovaAllocator a = create();
        int threads = 8;
        int perThread = 1000;
        long seed = 44;
        List<List<Range>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(new ArrayList<>());
        }
        Workers.run(threads, t -> {
            long threadSeed = seed * 31 + t;
            SplittableRandom r = new SplittableRandom(threadSeed);
            List<Range> kept = results.get(t);
            for (int i = 0; i < perThread; i++) {
                long pages = 1 + r.nextInt(16);
                long pfn = a.allocate(pages, (1L << 20) - 1);
                if (pfn == NONE) {
                    throw new AssertionError("thread seed " + threadSeed + ": allocation " + i + " failed");
                }
                kept.add(new Range(pfn, pages, occupiedPages(pages)));
                if (r.nextInt(3) == 0) { // free one, so cached ranges circulate between threads
                    Range gone = kept.remove(r.nextInt(kept.size()));
                    a.free(gone.pfn(), gone.pages());
                }
            }
        });
        List<Range> all = new ArrayList<>();
        results.forEach(all::addAll);
        all.sort(Comparator.comparingLong(Range::pfn));
        for (int i = 1; i < all.size(); i++) {
            Range prev = all.get(i - 1);
            Range next = all.get(i);
            assertTrue(prev.last() < next.pfn(), "seed " + seed + ": " + prev + " overlaps " + next);
        }
        for (Range r : all) {
            assertTrue(a.isAllocated(r.pfn()) && a.isAllocated(r.last()), "seed " + seed + ": " + r + " not allocated");
        }
        checkInternals(a);
    }

    @Test
    void shouldNeverHandOutAPfnTwiceWhileThreadsAllocateFreeAndExhaustATightSpace() throws Exception {
        IovaAllocator a = create();
        int threads = 4;
        long limit = 127; // 4 threads x 16 ranges x up to 4 pages do not fit: exhaustion, flushes
        long seed = 4404;
        // owner[pfn] = thread + 1 while that thread holds it; a second owner is an overlap
        var owner = new java.util.concurrent.atomic.AtomicIntegerArray((int) limit + 1);
        Workers.run(threads, t -> { // an overlap a worker finds fails the test
            int me = t + 1;
            SplittableRandom r = new SplittableRandom(seed + t);
            List<Range> held = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                if (held.size() < 16 && r.nextInt(100) < 60) {
                    long pages = 1 + r.nextInt(4);
                    long pfn = a.allocate(pages, limit);
                    if (pfn == NONE) {
                        continue; // exhausted for now: the others hold it all
                    }
                    Range got = new Range(pfn, pages, occupiedPages(pages));
                    for (long p = got.pfn(); p <= got.last(); p++) {
                        int was = owner.compareAndExchange((int) p, 0, me);
                        if (was != 0) {
                            throw new AssertionError("seed " + (seed + me - 1) + ": pfn " + p + " of " + got
                                    + " handed to thread " + me + " while thread " + was + " holds it");
                        }
                    }
                    held.add(got);
                } else if (!held.isEmpty()) {
                    Range gone = held.remove(r.nextInt(held.size()));
                    for (long p = gone.pfn(); p <= gone.last(); p++) {
                        owner.set((int) p, 0);
                    }
                    a.free(gone.pfn(), gone.pages());
                }
            }
        });
        checkInternals(a);
    }
}
