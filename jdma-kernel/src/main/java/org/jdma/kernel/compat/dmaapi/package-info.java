/**
 * The {@code dma-api} crate's API (0.7): typed DMA containers that do the cache maintenance for
 * the driver, over a platform interface, sitting on the kernel's DMA API.
 *
 * <p>Models: {@link org.jdma.kernel.compat.dmaapi.DmaOp} (the platform: coherent allocation, streaming
 * mapping, flush/invalidate, and the direction truth table as its default syncs);
 * {@link org.jdma.kernel.compat.dmaapi.DmaContainers} (a device's mask, optional segment limits, and the
 * factories); {@link org.jdma.kernel.compat.dmaapi.DArray}, {@link org.jdma.kernel.compat.dmaapi.DBox} (coherent
 * memory, synced on every access), {@link org.jdma.kernel.compat.dmaapi.SArrayPtr} (an existing kernel buffer
 * mapped for a transfer, synced by explicit calls), {@link org.jdma.kernel.compat.dmaapi.DArrayPool};
 * {@link org.jdma.kernel.compat.dmaapi.DmaAddr} (a device address the CPU cannot use);
 * {@link org.jdma.kernel.compat.dmaapi.DmaType} (element layouts: primitives and records described by a
 * {@code MemoryLayout}); platforms {@link org.jdma.kernel.compat.dmaapi.DmaApiDmaOp} (the
 * containers on the DMA API's handles: a {@link org.jdma.kernel.dma.CoherentAllocation} or a
 * {@link org.jdma.kernel.dma.StreamingMapping} behind each), {@link org.jdma.kernel.compat.dmaapi.DirectDmaOp}
 * (the crate's reference platform: it syncs and bounces by itself and takes only device addresses
 * from the DMA API) and the test double {@link org.jdma.kernel.compat.dmaapi.RecordingDmaOp}. Directions are the mapping layer's
 * {@link org.jdma.kernel.dma.DmaDirection} (NONE is refused here).
 *
 * <p>Errors: a failure is the kernel's one unchecked {@link org.jdma.kernel.dma.DmaException}
 * carrying a {@link org.jdma.kernel.dma.DmaError} (NoMemory, LayoutError, DmaMaskNotMatch,
 * AlignMismatch, NullPointer, ZeroSizedBuffer, SegmentTooLarge, BoundaryCross), a sealed
 * interface of records that compare by value and say whether a retry can succeed. Programming
 * errors (a bad index, a closed container, direction NONE) are the JDK's unchecked exceptions.
 *
 * <p>Does not model: scatter-gather (the mapping layer's {@code mapSg}); CPU pointers into
 * container memory (the containers read and write through the machine's {@code Cpu}, element by
 * element); thread safety of the containers (one thread at a time, as Rust's {@code &mut}).
 *
 * <p>Invariant: a container's memory was checked inside [0, mask], aligned and within the segment
 * limits before the container existed (a failed check gave it back first); every CPU write through
 * a container is followed by a flush of exactly the bytes written when the device reads the
 * memory (TO_DEVICE, BIDIRECTIONAL), and every CPU read is preceded by an invalidate of exactly the
 * bytes read when the device writes it (FROM_DEVICE, BIDIRECTIONAL), except for
 * {@link org.jdma.kernel.compat.dmaapi.SArrayPtr}, whose bulk syncs are the driver's calls; with a bounce
 * buffer, the bytes synced are those the device uses.
 */
package org.jdma.kernel.compat.dmaapi;
