package org.jdma.kernel.iommu.iova;

import static org.jdma.kernel.iommu.iova.IovaAllocator.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CachedIovaAllocatorTest extends IovaAllocatorContractTest {

    @Override
    IovaAllocator create() {
        // Fewer slots than the concurrency tests have threads: slots are shared, as CPUs are by tasks.
        return new CachedIovaAllocator(new TreeIovaAllocator(), 2, true);
    }

    @Override
    void checkInternals(IovaAllocator a) {
        ((CachedIovaAllocator) a).tree().checkInvariants();
    }

    @Override
    long occupiedPages(long pages) {
        return CachedIovaAllocator.cacheSize(pages);
    }

    @Test
    void shouldRoundCacheableSizesUpToAPowerOfTwoAndLeaveLargerOnesAlone() {
        assertEquals(1, CachedIovaAllocator.cacheSize(1));
        assertEquals(4, CachedIovaAllocator.cacheSize(3));
        assertEquals(16, CachedIovaAllocator.cacheSize(9));
        assertEquals(32, CachedIovaAllocator.cacheSize(17));
        assertEquals(32, CachedIovaAllocator.cacheSize(31));
        assertEquals(32, CachedIovaAllocator.cacheSize(32));
        assertEquals(33, CachedIovaAllocator.cacheSize(33));
        assertEquals(5, CachedIovaAllocator.order(32));
        assertEquals(6, CachedIovaAllocator.order(33));
    }

    @Test
    void shouldHandBackTheMostRecentlyFreedPfnFromTheMagazine() {
        CachedIovaAllocator a = (CachedIovaAllocator) create();
        long x = a.allocate(1, 10_000);
        long y = a.allocate(1, 10_000);
        long z = a.allocate(1, 10_000);
        a.free(x, 1);
        a.free(z, 1);
        assertEquals(z, a.allocate(1, 10_000));
        assertEquals(x, a.allocate(1, 10_000));
        assertEquals(2, a.stats().hits());
        assertTrue(a.isAllocated(x) && a.isAllocated(y) && a.isAllocated(z));
    }

    @Test
    void shouldReuseACachedRangeForARequestOfTheSameRoundedSize() {
        CachedIovaAllocator a = (CachedIovaAllocator) create();
        long pfn = a.allocate(3, 10_000); // takes 4 pages
        a.free(pfn, 3);
        assertFalse(a.isAllocated(pfn));
        assertEquals(pfn, a.allocate(4, 10_000));
        a.free(pfn, 4);
        assertEquals(pfn, a.allocate(3, 10_000));
    }

    @Test
    void shouldPopOnlyACachedPfnWhoseRangeFitsUnderTheLimit() {
        CachedIovaAllocator a = (CachedIovaAllocator) create();
        long low = a.allocate(2, 500);
        long high = a.allocate(2, 1L << 21); // above 4 GiB: a walk from the 64-bit cached node
        assertEquals((1L << 21) - 1, high + 1);
        a.free(low, 2);
        a.free(high, 2); // most recent, but above the next limit
        assertEquals(low, a.allocate(2, 501)); // [low, low + 1] fits under 501
        long again = a.allocate(2, 300);
        assertNotEquals(high, again);
        assertTrue(again + 1 <= 300);
    }

    @Test
    void shouldFlushTheCachesAndRetryWhenOnlyCachedIovasRemain() {
        CachedIovaAllocator a = (CachedIovaAllocator) create();
        List<Long> pfns = new ArrayList<>();
        long pfn;
        while ((pfn = a.allocate(1, 63, false)) != NONE) {
            pfns.add(pfn);
        }
        assertEquals(63, pfns.size());
        for (long p : pfns) {
            a.free(p, 1);
        }
        assertEquals(63, a.stats().cachedRanges());
        // No 2-page range is cached and the tree is full of cached 1-page ranges:
        assertEquals(NONE, a.allocate(2, 63, false));
        assertEquals(0, a.stats().flushes());
        assertEquals(62, a.allocate(2, 63));
        assertEquals(1, a.stats().flushes());
        assertEquals(0, a.stats().cachedRanges());
    }

    @Test
    void shouldSpillFullMagazinesToTheDepotAndTheDepotOverflowToTheTree() {
        TreeIovaAllocator tree = new TreeIovaAllocator();
        CachedIovaAllocator a = new CachedIovaAllocator(tree, 1, true, 1);
        int n = 4 * CachedIovaAllocator.MAG_SIZE + 10; // loaded + prev + 1 depot magazine, the rest overflows
        List<Long> pfns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pfns.add(a.allocate(1, 1 << 20));
        }
        for (long p : pfns) {
            a.free(p, 1);
        }
        long cached = a.stats().cachedRanges();
        assertTrue(cached <= 3L * CachedIovaAllocator.MAG_SIZE + 1, "cached " + cached);
        assertEquals(n - cached, n - tree.rangeCount(), "what is not cached went back to the tree");
        Set<Long> again = new HashSet<>();
        for (int i = 0; i < n; i++) {
            long p = a.allocate(1, 1 << 20);
            assertTrue(again.add(p), "pfn " + p + " handed out twice");
        }
        assertEquals(cached, a.stats().hits());
    }

    @Test
    void shouldTakeAFullMagazineFromTheDepotWhenTheCpuCacheIsEmpty() {
        CachedIovaAllocator a = new CachedIovaAllocator(new TreeIovaAllocator(), 1, true);
        int n = 3 * CachedIovaAllocator.MAG_SIZE;
        List<Long> pfns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pfns.add(a.allocate(1, 1 << 20));
        }
        for (long p : pfns) {
            a.free(p, 1);
        }
        long missesBefore = a.stats().misses();
        for (int i = 0; i < n; i++) {
            a.allocate(1, 1 << 20);
        }
        assertEquals(n, a.stats().hits());
        assertEquals(missesBefore, a.stats().misses());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldShareCachedRangesThroughTheFlushBetweenCpuSlots() throws Exception {
        int slots = 64;
        CachedIovaAllocator a = new CachedIovaAllocator(new TreeIovaAllocator(), slots, true);
        // Another thread frees into its own slot; this thread's slot is empty, so it must flush.
        List<Long> pfns = new ArrayList<>();
        long pfn;
        while ((pfn = a.allocate(1, 31, false)) != NONE) {
            pfns.add(pfn);
        }
        // The slot is threadId % slots, and a thread has its id before it starts: pick one whose
        // slot differs from ours (the next id almost always does; ids are unique, so this ends).
        long mine = Thread.currentThread().threadId() % slots;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t;
        do {
            t = Thread.ofPlatform().unstarted(() -> {
                try {
                    pfns.forEach(p -> a.free(p, 1));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
        } while (t.threadId() % slots == mine);
        t.start();
        t.join();
        assertNull(failure.get(), () -> "the freeing thread failed: " + failure.get());
        assertEquals(0, a.stats().flushes(), "nothing flushed yet");
        assertNotEquals(NONE, a.allocate(1, 31));
        assertEquals(1, a.stats().flushes());
    }

    @Test
    void shouldReportABogusFreeWhenItsMagazineReachesTheTreeWithoutVerification() {
        CachedIovaAllocator a = new CachedIovaAllocator(new TreeIovaAllocator(), 1, false);
        long pfn = a.allocate(1, 1000);
        a.free(pfn, 1);
        a.free(0x77, 1); // never allocated: the fast path cannot tell
        var e = assertThrows(IllegalArgumentException.class, a::flush);
        assertTrue(e.getMessage().contains("0x77"), e.getMessage());
        assertFalse(a.isAllocated(pfn), "the valid cached range was freed all the same");
    }

    @Test
    void shouldNotFlushForAFirstAttemptThatMayFail() {
        CachedIovaAllocator a = (CachedIovaAllocator) create();
        for (long p = 3; p >= 1; p--) {
            assertEquals(p, a.allocate(1, 3));
        }
        for (long p = 1; p <= 3; p++) {
            a.free(p, 1);
        }
        assertEquals(NONE, a.allocate(2, 3, false)); // [2, 3] is cached as two 1-page ranges
        assertEquals(0, a.stats().flushes());
    }

    @Test
    void shouldFlushCachedRangesBeforeReserving() {
        CachedIovaAllocator a = (CachedIovaAllocator) create();
        long p = a.allocate(4, 1000);
        a.free(p, 4);
        a.reserve(p, p + 3);
        assertTrue(a.isAllocated(p));
        assertNotEquals(p, a.allocate(4, 1000));
    }
}
