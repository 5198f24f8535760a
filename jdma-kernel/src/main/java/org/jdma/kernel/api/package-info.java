/**
 * The seed-004 API ({@code dma-api} 0.7): typed DMA containers that do the cache maintenance for
 * the driver, over a platform interface.
 *
 * <p>Models: {@link org.jdma.kernel.api.DmaOp} (the platform: coherent allocation, streaming
 * mapping, flush/invalidate, and the direction truth table as its default syncs);
 * {@link org.jdma.kernel.api.DeviceDma} (a device's mask, optional segment limits, and the
 * factories); {@link org.jdma.kernel.api.DArray}, {@link org.jdma.kernel.api.DBox} (coherent
 * memory, synced on every access), {@link org.jdma.kernel.api.SArrayPtr} (an existing kernel buffer
 * mapped for a transfer, synced by explicit calls), {@link org.jdma.kernel.api.DArrayPool};
 * {@link org.jdma.kernel.api.DmaAddr} (a device address the CPU cannot use);
 * {@link org.jdma.kernel.api.DmaType} (element layouts: primitives and records described by a
 * {@code MemoryLayout}); platforms {@link org.jdma.kernel.api.DirectDmaOp},
 * {@link org.jdma.kernel.api.DmaApiDmaOp} and the test double
 * {@link org.jdma.kernel.api.RecordingDmaOp}. Directions are the mapping layer's
 * {@link org.jdma.kernel.dma.DmaDirection} (NONE is refused here).
 *
 * <p>Errors: a failure is a checked {@link org.jdma.kernel.api.DmaException} carrying a
 * {@link org.jdma.kernel.api.DmaError}, a sealed interface of records (NoMemory, LayoutError,
 * DmaMaskNotMatch{addr, mask}, AlignMismatch{required, address}, NullPointer, ZeroSizedBuffer,
 * SegmentTooLarge, BoundaryCross). One exception type with a data payload, rather than eight
 * exception subclasses, because the payload is what callers use: records compare by value (tests
 * assert {@code new DmaMaskNotMatch(addr, mask)} exactly, as the seed's {@code DmaError: Eq}),
 * deconstruct in an exhaustive {@code switch} with record patterns, and carry
 * {@link org.jdma.kernel.api.DmaError#retryable()}; exceptions have identity equality and cannot
 * be matched exhaustively. Checked, because running out of DMA memory is an outcome a driver must
 * handle (the seed returns {@code Result}). Programming errors (a bad index, a closed container,
 * direction NONE) are unchecked, as in the JDK.
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
 * {@link org.jdma.kernel.api.SArrayPtr}, whose bulk syncs are the driver's calls; with a bounce
 * buffer, the bytes synced are those the device uses.
 */
package org.jdma.kernel.api;
