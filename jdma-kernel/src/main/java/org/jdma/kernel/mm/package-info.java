/**
 * Physical memory management: the buddy frame allocator over the firmware memory map, and the
 * DMA-able memory drivers take buffers from ({@link org.jdma.kernel.mm.DmaMemory},
 * {@link org.jdma.kernel.mm.DmaBuffer}: contiguous frames below a physical limit, reached by the
 * CPU through the kernel's {@link org.jdma.kernel.mm.DirectMap}).
 *
 * <p>Models: 4 KiB frames in zones (DMA32 below 4 GiB, NORMAL above), power-of-two contiguous
 * blocks, statistics, and detection of double free and of freeing a frame never allocated; a
 * buffer that refuses to be freed while a {@link org.jdma.kernel.mm.DmaUseTracker} still sees it in
 * use. Does not model: virtual memory; kernel code addresses RAM physically (a direct map). Device
 * addresses are not this package's business: they come from the DMA API ({@code kernel.dma}),
 * which depends on this package and never the other way round.
 *
 * <p>Invariant: a frame is in exactly one state, free (in exactly one free block) or allocated (in
 * exactly one allocated block); free + allocated frames = managed frames. Frame 0, reserved ranges
 * and everything that is not RAM in the firmware map are never managed, so never handed out; no
 * block spans the 4 GiB zone boundary.
 */
package org.jdma.kernel.mm;
