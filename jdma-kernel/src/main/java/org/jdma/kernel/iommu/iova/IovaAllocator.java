package org.jdma.kernel.iommu.iova;

/**
 * An IOVA space allocator, in page frame numbers of one granule (Linux {@code struct
 * iova_domain}). Two implementations share one contract test suite: the uncached allocator
 * (Linux {@code alloc_iova}/{@code __free_iova}: top-down, size-aligned, an ordered map of
 * allocated ranges) and the cached one (Linux {@code alloc_iova_fast}/{@code free_iova_fast}:
 * per-CPU magazines in front of the same tree, flushed and retried on exhaustion).
 *
 * <p>Invariants: ranges handed out never overlap each other or a reserved range; pfn 0 is never
 * handed out; a freed range may be handed out again.
 *
 * <p>Thread-safe: a domain allocates without a lock of its own (Linux's {@code iova_domain} has
 * its own lock), and frees from whichever CPU unmaps or flushes.
 */
public interface IovaAllocator {

    /** Returned when no range fits. */
    long NONE = -1L;

    /** Granule in bytes (a power of two, at most 4096). */
    long granule();

    /**
     * Allocates {@code pages} granules whose last pfn is at most {@code limitPfn}, searching top
     * down; when {@code pages} is a power of two the start is aligned to it (as Linux's
     * {@code size_aligned}, other sizes are aligned to the next power of two). Returns the first
     * pfn, or {@link #NONE}.
     */
    long allocate(long pages, long limitPfn);

    /**
     * As {@link #allocate(long, long)}; {@code mayFlushCaches = false} forbids emptying per-CPU
     * caches into the tree to satisfy this request (Linux {@code alloc_iova_fast}'s
     * {@code flush_rcache}: a first 32-bit attempt that may fail cheaply). Allocators without
     * caches ignore it.
     */
    default long allocate(long pages, long limitPfn, boolean mayFlushCaches) {
        return allocate(pages, limitPfn);
    }

    /** Frees the range that {@link #allocate} returned at {@code pfn} with {@code pages}. */
    void free(long pfn, long pages);

    /** Marks [loPfn, hiPfn] as never to be handed out (MSI window, RMRRs). Overlapping reservations merge. */
    void reserve(long loPfn, long hiPfn);

    /** Whether {@code pfn} lies in an allocated (not free, not cached) or reserved range. */
    boolean isAllocated(long pfn);

    /**
     * Whether {@link #isAllocated} answers with one lookup, cheap enough to ask on every unmap.
     * An allocator that caches freed ranges without marking them (a {@link CachedIovaAllocator}
     * without verified frees, as Linux's) can answer only by scanning its caches; an unmap then
     * checks what the page tables show instead.
     */
    default boolean answersIsAllocatedCheaply() {
        return true;
    }
}
