/**
 * IOVA allocation: the I/O virtual address space of an IOMMU domain, handed out in granule-sized
 * page frames (Linux {@code drivers/iommu/iova.c}).
 *
 * <p>Models: {@link org.jdma.kernel.iommu.iova.TreeIovaAllocator}, Linux's ordered tree of
 * allocated ranges searched top-down from a cached node (a separate one for the 32-bit space),
 * size-aligned, within a limit pfn, never pfn 0, with merged reservations (MSI window, RMRRs) and
 * the {@code max32_alloc_size} short cut; {@link org.jdma.kernel.iommu.iova.CachedIovaAllocator},
 * Linux's per-CPU magazine caches (127 pfns per magazine, size classes of 1..32 pages, a depot of
 * full magazines, flush-and-retry on exhaustion) in front of the tree; and
 * {@link org.jdma.kernel.iommu.iova.IovaSpace}, the "32-bit first for PCI devices" policy in bytes.
 *
 * <p>Does not model: Linux's best-fit mode, {@code split_and_remove_iova}, the depot's delayed
 * trimming work (the depot is bounded instead), CPU hotplug. A "CPU" is a CPU of the platform,
 * the one the caller runs as (the kernel's allocators), or a slot chosen by the calling thread
 * (allocators made with a slot count, for benchmarks and tests of plain threads). Nothing here touches page tables or the IOTLB: freeing an IOVA while the
 * hardware may still translate it is the caller's mistake (strict or lazy invalidation first).
 *
 * <p>Invariant: the ranges handed out and not yet freed, the reserved ranges and (for the cached
 * allocator) the ranges held in caches are pairwise disjoint, lie within [start pfn, limit pfn of
 * their request], and never contain pfn 0.
 */
package org.jdma.kernel.iommu.iova;
