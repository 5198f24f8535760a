/**
 * Bounce buffers (Linux {@code kernel/dma/swiotlb.c}): a pool of 2 KiB slots below 4 GiB, split
 * into separately locked areas, that stands in for a buffer a device cannot reach (beyond its
 * mask and no IOMMU) or must not see whole (an untrusted device's sub-page buffer under an IOMMU).
 *
 * <p>Models: slot runs of at most 128 slots (256 KiB) inside one 128-slot segment, alignment to
 * the caller's mask (the IOMMU granule; a page for page-sized mappings), the device's
 * {@code min_align_mask} (the bounce address keeps the original's low bits), its segment
 * boundary, next-fit search per area, the copies of Linux 6.x (original → bounce on map and on
 * sync-for-device whatever the direction; bounce → original on sync-for-cpu and unmap when the
 * device may write), shrinking the pool when memory is short. Does not model: dynamic pools
 * (CONFIG_SWIOTLB_DYNAMIC), restricted DMA pools, memory encryption.
 *
 * <p>The pool lies below 4 GiB, not below 16 MiB, as Linux's default pool does on x86
 * ({@code swiotlb_init_remap} takes it with {@code memblock_alloc_low}, below the architecture's
 * low address limit, 4 GiB). So a device with a mask below 32 bits, such as a 24-bit ISA-style
 * device, cannot rely on bouncing: a slot beyond its mask makes the mapping fail with the
 * "swiotlb addr ... overflow" warning that names the mask, as {@code swiotlb_map} does, and its
 * driver is expected to put its buffers in zone DMA in the first place (coherent memory, or
 * {@code GFP_DMA} buffers). Linux kernels with {@code CONFIG_SWIOTLB_DYNAMIC} can allocate a
 * transient pool inside the device's limit instead; that is not modeled.
 *
 * <p>Invariant: every slot belongs to at most one live mapping, and the used-slot count equals the
 * slots of the live mappings.
 */
package org.jdma.kernel.dma.swiotlb;
