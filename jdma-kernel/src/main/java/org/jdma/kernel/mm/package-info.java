/**
 * Physical memory management: the buddy frame allocator over the firmware memory map.
 *
 * <p>Models: 4 KiB frames in zones (DMA32 below 4 GiB, NORMAL above), power-of-two contiguous
 * blocks, statistics, and detection of double free and of freeing a frame never allocated. Does
 * not model: virtual memory; kernel code addresses RAM physically (a direct map).
 *
 * <p>Invariant: a frame is in exactly one state, free (in exactly one free block) or allocated (in
 * exactly one allocated block); free + allocated frames = managed frames. Frame 0, reserved ranges
 * and everything that is not RAM in the firmware map are never managed, so never handed out; no
 * block spans the 4 GiB zone boundary.
 */
package org.jdma.kernel.mm;
