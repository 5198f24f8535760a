package org.jdma.kernel.iommu;

import java.util.Map;
import java.util.TreeMap;
import org.jdma.kernel.iommu.iova.IovaAllocator;

/**
 * Test-only IOVA allocator: top-down first fit over an ordered map of used ranges, size-aligned for
 * powers of two, never pfn 0. Stands in for the real allocators (branch iova) in driver tests.
 */
public final class SimpleIovaAllocator implements IovaAllocator {

    /** pfn_lo → pfn_hi (inclusive) of allocated or reserved ranges. */
    private final TreeMap<Long, Long> used = new TreeMap<>();
    private final TreeMap<Long, Long> reserved = new TreeMap<>();
    private final long maxPfn;

    public SimpleIovaAllocator(long maxPfn) {
        this.maxPfn = maxPfn;
        used.put(0L, 0L);
    }

    @Override
    public long granule() {
        return 4096;
    }

    @Override
    public synchronized long allocate(long pages, long limitPfn) {
        long align = Long.bitCount(pages) == 1 ? pages : 1;
        long top = Math.min(limitPfn, maxPfn);
        // Gaps between used ranges, top-down; pfn 0 is always used, so the walk ends.
        for (Map.Entry<Long, Long> e = used.floorEntry(top); e != null; e = used.lowerEntry(e.getKey())) {
            long a = e.getKey();
            long b = e.getValue();
            if (b < top) {
                long first = top - pages + 1;
                if (first > b) {
                    long start = Math.floorDiv(first, align) * align;
                    if (start > b) {
                        used.put(start, start + pages - 1);
                        return start;
                    }
                }
            }
            top = Math.min(top, a - 1);
            if (top < 0) {
                return NONE;
            }
        }
        return NONE;
    }

    @Override
    public synchronized void free(long pfn, long pages) {
        Long hi = used.get(pfn);
        if (hi == null || hi != pfn + pages - 1 || reserved.containsKey(pfn)) {
            throw new IllegalStateException(String.format("free of [%#x, +%d) that was not allocated", pfn, pages));
        }
        used.remove(pfn);
    }

    @Override
    public synchronized void reserve(long loPfn, long hiPfn) {
        // Assumes the range is free (tests reserve before allocating).
        used.put(loPfn, hiPfn);
        reserved.put(loPfn, hiPfn);
    }

    @Override
    public synchronized boolean isAllocated(long pfn) {
        Map.Entry<Long, Long> e = used.floorEntry(pfn);
        return e != null && pfn <= e.getValue();
    }
}
