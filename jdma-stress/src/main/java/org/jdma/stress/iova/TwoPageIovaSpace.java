package org.jdma.stress.iova;

import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;

/** The two-pfn space the tests share: pfns {@link #HIGH} and {@link #LOW}, handed out top down. */
final class TwoPageIovaSpace {

    static final long GRANULE = 4096;
    static final long LOW = TreeIovaAllocator.BASE_PFN;
    static final long HIGH = LOW + 1;
    /** Last pfn an allocation may use: the space is exactly {LOW, HIGH}. */
    static final long LIMIT = HIGH;

    private TwoPageIovaSpace() {
    }

    /** A verifying cached allocator with one CPU slot (see the package comment) and the default depot. */
    private static CachedIovaAllocator cached() {
        return new CachedIovaAllocator(new TreeIovaAllocator(GRANULE, LOW), 1, true);
    }

    /** A cached allocator with both pfns allocated, HIGH then LOW (each checked), so the tests' frees decide what is free. */
    static CachedIovaAllocator full() {
        CachedIovaAllocator a = cached();
        take(a, HIGH);
        take(a, LOW);
        return a;
    }

    /** Allocates one page and insists it is {@code expected} (the setup's own check). */
    private static void take(IovaAllocator a, long expected) {
        long pfn = a.allocate(1, LIMIT);
        if (pfn != expected) {
            throw new IllegalStateException("setup: expected pfn " + expected + ", got " + pfn);
        }
    }
}
