package org.jdma.kernel.iommu.iova;

/** A stack of pfns of one size class. */
final class Magazine {
    final long[] pfns = new long[CachedIovaAllocator.MAG_SIZE];
    int size;

    boolean full() {
        return size == CachedIovaAllocator.MAG_SIZE;
    }

    /**
     * Linux {@code iova_magazine_pop}: the most recently pushed pfn not above {@code maxPfn},
     * or {@link IovaAllocator#NONE}; the hole is filled with the top entry.
     */
    long pop(long maxPfn) {
        int i = size - 1;
        while (pfns[i] > maxPfn) {
            if (i == 0) {
                return IovaAllocator.NONE;
            }
            i--;
        }
        long pfn = pfns[i];
        pfns[i] = pfns[--size];
        return pfn;
    }

    boolean contains(long pfn, long pages) {
        for (int i = 0; i < size; i++) {
            if (pfn >= pfns[i] && pfn - pfns[i] < pages) {
                return true;
            }
        }
        return false;
    }
}
