package org.jdma.kernel.iommu.iova;

import static org.jdma.kernel.iommu.iova.IovaAllocator.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TreeIovaAllocatorTest extends IovaAllocatorContractTest {

    @Override
    IovaAllocator create() {
        return new TreeIovaAllocator();
    }

    @Override
    void checkInternals(IovaAllocator a) {
        ((TreeIovaAllocator) a).checkInvariants();
    }

    @Override
    long occupiedPages(long pages) {
        return pages;
    }

    /** Fills [1, 2^20 - 1], the whole 32-bit space of 4 KiB pfns, with 20 allocations. */
    private static void fill32BitSpace(TreeIovaAllocator a) {
        long limit = a.dma32Pfn() - 1;
        for (long pages = a.dma32Pfn() >> 1; pages >= 1; pages >>= 1) {
            assertNotEquals(NONE, a.allocate(pages, limit));
        }
    }

    @Test
    void shouldFailFast32BitRequestsAfterA32BitExhaustionUntilSomethingBelow4GiBIsFreed() {
        TreeIovaAllocator a = new TreeIovaAllocator();
        long limit = a.dma32Pfn() - 1;
        fill32BitSpace(a);
        assertEquals(NONE, a.allocate(1, limit));
        assertEquals(NONE, a.allocate(1, limit));
        long above = a.allocate(1, a.dma32Pfn() * 2);
        assertTrue(above >= a.dma32Pfn(), "the 64-bit space is unaffected: " + above);
        a.free(above, 1); // freeing above 4 GiB does not lift the short cut, and need not
        assertEquals(NONE, a.allocate(1, limit));
        a.free(1, 1); // the 1-page piece of the fill
        assertEquals(1, a.allocate(1, limit));
    }

    @Test
    void shouldNotLetAFailureUnderASmallLimitBlockTheRestOfThe32BitSpace() {
        TreeIovaAllocator a = new TreeIovaAllocator();
        for (int i = 0; i < 100; i++) {
            assertNotEquals(NONE, a.allocate(1, 100));
        }
        assertEquals(NONE, a.allocate(1, 100));
        assertEquals(a.dma32Pfn() - 1, a.allocate(1, a.dma32Pfn() - 1));
    }

    @Test
    void shouldFindSpaceAboveTheCachedNodeWhenNothingFitsBelowIt() {
        TreeIovaAllocator a = new TreeIovaAllocator();
        assertEquals(100, a.allocate(1, 100));
        for (long expected = 99; expected >= 1; expected--) {
            assertEquals(expected, a.allocate(1, 99)); // the cached node follows them down to pfn 1
        }
        // Nothing fits below the cached node; the retry walk from the limit finds the top.
        assertEquals(1000, a.allocate(1, 1000));
        assertEquals(999, a.allocate(1, 1000));
    }

    @Test
    void shouldRejectBadConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new TreeIovaAllocator(4096, 0));
        assertThrows(IllegalArgumentException.class, () -> new TreeIovaAllocator(3000, 1));
        assertThrows(IllegalArgumentException.class, () -> new TreeIovaAllocator(8192, 1));
    }

    @Test
    void shouldStartAtTheConfiguredPfnAndComputeThe32BitBoundaryFromTheGranule() {
        TreeIovaAllocator a = new TreeIovaAllocator(512, 16);
        assertEquals(1L << 23, a.dma32Pfn());
        for (int i = 0; i < 15; i++) {
            a.allocate(1, 30);
        }
        assertEquals(NONE, a.allocate(1, 30));
        assertEquals(15, a.rangeCount());
    }

    @Test
    void shouldNameTheAllocationAFreeFallsInside() {
        TreeIovaAllocator a = new TreeIovaAllocator();
        long pfn = a.allocate(8, 1000);
        var e = assertThrows(IllegalArgumentException.class, () -> a.free(pfn + 2, 1));
        assertTrue(e.getMessage().contains("inside the allocated range [0x" + Long.toHexString(pfn)), e.getMessage());
    }
}
