/**
 * Physical memory management: the buddy frame allocator over the firmware memory map, and the
 * DMA-able memory drivers take buffers from ({@link org.jdma.kernel.mm.DmaMemory},
 * {@link org.jdma.kernel.mm.DmaBuffer}: contiguous frames below a physical limit, reached by the
 * CPU through the kernel's {@link org.jdma.kernel.mm.DirectMap}).
 *
 * <p>Models: 4 KiB frames in Linux's x86-64 zones (DMA below 16 MiB, DMA32 below 4 GiB, NORMAL
 * above), allocation that falls back only to lower zones, power-of-two contiguous blocks,
 * statistics overall and per zone, and detection of double free and of freeing a frame never
 * allocated; memory that refuses to be freed (buffers, frames, and through the DMA layer coherent
 * allocations and pool blocks) while a live DMA mapping pins it ({@link org.jdma.kernel.mm.DmaPins})
 * or a {@link org.jdma.kernel.mm.DmaUseTracker} still sees it in use; who owns a byte
 * ({@link org.jdma.kernel.mm.DmaMemory#ownerAt}: free, a block of frames, a buffer, a pool block);
 * the same pins seen from the device end, per device by bus address, with holds that in-flight
 * descriptors put on them (the DMA layer's map-only-while-in-use service uses them: an unpin of a
 * held pin is refused). Does not model: virtual memory (kernel code addresses RAM physically, a
 * direct map), NUMA nodes, per-CPU page lists, watermarks and lowmem reserves. Device addresses
 * are made by the DMA API ({@code kernel.dma}), which depends on this package and never the other
 * way round; the pins only record them.
 *
 * <p>Invariant: a frame is in exactly one state, free (in exactly one free block) or allocated (in
 * exactly one allocated block); free + allocated frames = managed frames. Frame 0, reserved ranges
 * and everything that is not RAM in the firmware map are never managed, so never handed out; no
 * block spans a zone boundary (16 MiB, 4 GiB), and no request gets frames from a zone above the
 * one it named.
 */
package org.jdma.kernel.mm;
