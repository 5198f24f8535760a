/**
 * The DMA API: the one way a driver turns memory into device addresses. A driver holds a
 * {@link org.jdma.kernel.dma.DeviceDmaApi} (the calls with its device bound, and two owning
 * handles: {@link org.jdma.kernel.dma.CoherentAllocation} and
 * {@link org.jdma.kernel.dma.StreamingMapping}); under it is {@link org.jdma.kernel.dma.DmaApi}
 * (Linux {@code include/linux/dma-mapping.h}), which the checker ({@code dma.debug}) decorates,
 * and its implementation, {@link org.jdma.kernel.dma.DmaMappingLayer}: per-device masks
 * ({@link org.jdma.kernel.dma.DmaMask}) and segment limits, coherent
 * allocations, streaming mappings of single buffers, pages and scatterlists, ownership syncs, and
 * three backends: direct (bus = physical + offset), IOMMU (IOVAs in the device's domain, Linux's
 * scatterlist merge rules) and bounce buffers ({@code dma.swiotlb}, allocated on first use). DMA
 * pools are in {@code dma.pool}. Map only while in use: {@link org.jdma.kernel.dma.DmaInFlight} and
 * {@link org.jdma.kernel.dma.RingHolds} let ring drivers hold the mappings a descriptor names from
 * submit to completion; submit refuses unmapped ranges and unmaps of held mappings are refused.
 * Errors that a caller handles are one unchecked
 * {@link org.jdma.kernel.dma.DmaException} carrying a {@link org.jdma.kernel.dma.DmaError} kind.
 *
 * <p>Models: Linux's dma-direct and dma-iommu decisions (when to bounce, which zone a coherent
 * allocation comes from, 32-bit IOVAs first, granule expansion and boundary padding of
 * scatterlists), arm64's cache maintenance on non-coherent machines (clean for the device,
 * invalidate for the CPU, on the bounce copy when bounced), uncached coherent memory there.
 * Does not model: {@code dma_map_resource} (MMIO), P2P segments, non-contiguous coherent
 * allocations, atomic coherent pools, bouncing of kmalloc buffers that are not cache-line aligned
 * ({@code dma_kmalloc_needs_bounce}). Misuse Linux only catches with dma-debug is the checker's
 * job; here an unmap of an address that is not mapped releases nothing (on the direct path it is
 * the for-CPU sync of the range named, as in Linux).
 *
 * <p>Invariant: a mapping a descriptor in flight holds is not unmapped or freed.
 * Every successful map that holds something (IOVA space, bounce slots) is recorded
 * against its device until the matching unmap or the device's detach releases exactly what the
 * map took; coherent allocations likewise hold their frames until freed or detached.
 */
package org.jdma.kernel.dma;
