package org.jdma.kernel.iommu.iova;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CachedIovaAllocator#isAllocated} with free verification answers from the tree node's
 * cached mark (one lookup, no magazine scan) and agrees with the scanning answer of an allocator
 * without verification that made the same calls.
 */
class CachedIsAllocatedTest {

    @Test
    void shouldCallARangeInAMagazineFreeAndAReusedOneAllocated() {
        CachedIovaAllocator a = new CachedIovaAllocator(new TreeIovaAllocator(), 1, true);
        long x = a.allocate(1, 1L << 20);
        long y = a.allocate(1, 1L << 20);
        assertTrue(a.isAllocated(x) && a.isAllocated(y));
        a.free(x, 1);
        assertFalse(a.isAllocated(x), "freed into the magazine: free");
        assertTrue(a.isAllocated(y));
        assertEquals(x, a.allocate(1, 1L << 20), "the magazine hands it out again");
        assertTrue(a.isAllocated(x));
    }

    @Test
    void shouldAgreeWithTheMagazineScan() {
        CachedIovaAllocator verifying = new CachedIovaAllocator(new TreeIovaAllocator(), 1, true);
        CachedIovaAllocator scanning = new CachedIovaAllocator(new TreeIovaAllocator(), 1, false);
        SplittableRandom random = new SplittableRandom(7);
        List<long[]> live = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (int step = 0; step < 5000; step++) {
            if (live.isEmpty() || random.nextInt(3) != 0) {
                long pages = 1L << random.nextInt(4);
                long v = verifying.allocate(pages, 1L << 24);
                assertEquals(scanning.allocate(pages, 1L << 24), v, "same calls, same answers, step " + step);
                live.add(new long[] {v, pages});
                seen.add(v);
            } else {
                long[] r = live.remove(random.nextInt(live.size()));
                verifying.free(r[0], r[1]);
                scanning.free(r[0], r[1]);
            }
            if (step % 97 == 0) {
                for (long pfn : seen) {
                    assertEquals(scanning.isAllocated(pfn), verifying.isAllocated(pfn), "pfn " + pfn + " at step " + step);
                }
            }
        }
    }
}
