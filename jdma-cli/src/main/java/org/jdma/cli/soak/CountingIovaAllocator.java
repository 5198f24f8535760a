package org.jdma.cli.soak;

import java.util.concurrent.atomic.AtomicLong;
import org.jdma.kernel.iommu.iova.IovaAllocator;

/**
 * The kernel's IOVA allocator with a count in front: pages handed out and not yet freed, summed
 * over every domain's allocator that shares {@code outstanding}. A leaked IOVA shows as pages
 * still outstanding once every device is detached and the flush queues have run.
 */
final class CountingIovaAllocator implements IovaAllocator {

    private final IovaAllocator inner;
    private final AtomicLong outstanding;

    CountingIovaAllocator(IovaAllocator inner, AtomicLong outstanding) {
        this.inner = inner;
        this.outstanding = outstanding;
    }

    @Override
    public long granule() {
        return inner.granule();
    }

    @Override
    public long allocate(long pages, long limitPfn) {
        return counted(inner.allocate(pages, limitPfn), pages);
    }

    @Override
    public long allocate(long pages, long limitPfn, boolean mayFlushCaches) {
        return counted(inner.allocate(pages, limitPfn, mayFlushCaches), pages);
    }

    private long counted(long pfn, long pages) {
        if (pfn != NONE) {
            outstanding.addAndGet(pages);
        }
        return pfn;
    }

    @Override
    public void free(long pfn, long pages) {
        inner.free(pfn, pages);
        outstanding.addAndGet(-pages);
    }

    @Override
    public void reserve(long loPfn, long hiPfn) {
        inner.reserve(loPfn, hiPfn);
    }

    @Override
    public boolean isAllocated(long pfn) {
        return inner.isAllocated(pfn);
    }
}
