package org.jdma.kernel.compat.dmaapi;

import java.util.Optional;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.platform.Cpu;

/**
 * The platform under the the {@code dma-api} crate API (Rust {@code trait DmaOp}, the "OSAL"): where DMA memory
 * comes from, how existing memory is mapped for a device, and the cache maintenance. One instance
 * serves any number of {@link DmaContainers}s; the DMA mask travels with each call so the platform can
 * allocate or bounce inside it. Implementations must be thread-safe.
 *
 * <p>Implementations here: {@link DirectDmaOp} (the kernel's frames, bus address = physical plus
 * an optional offset, bounce buffers when a buffer misses the mask or alignment),
 * {@link DmaApiDmaOp} (over the DMA-mapping layer, {@link org.jdma.kernel.dma.DmaApi}) and
 * {@link RecordingDmaOp} (records every call, for tests).
 *
 * <p>CPU addresses ({@code cpuAddr}, {@code addr}) are physical addresses the kernel reaches
 * through {@link #cpu()}: the kernel's direct map makes the two the same. Rust hands back pointers
 * the CPU dereferences; in Java the platform also says which {@link Cpu} reaches them.
 *
 * <p>Cache-sync rules (the {@code dma-api} crate §3.5, the defaults of {@link #prepareRead} and
 * {@link #confirmWrite}):
 * <pre>
 *   operation                          TO_DEVICE    FROM_DEVICE   BIDIRECTIONAL
 *   confirmWrite (after a CPU write)   flush        nothing       flush
 *   prepareRead  (before a CPU read)   nothing      invalidate    invalidate
 * </pre>
 * With a bounce buffer, the range flushed or invalidated is the bounce copy the device uses (the
 * crate flushed the original after copying it, so the device could read stale bounce bytes).
 */
public interface DmaOp {

    /** Page size of the platform, bytes (Rust {@code page_size}). */
    int pageSize();

    /** The CPU through which the kernel reaches every {@code cpuAddr} this op hands out. */
    Cpu cpu();

    /**
     * Makes [addr, addr + size) of existing memory reachable by a device inside {@code dmaMask}
     * (Linux {@code dma_map_single}; no cache maintenance: the caller syncs). The platform may
     * bounce; it need not check the result against mask and alignment ({@link DmaContainers} does, and
     * unmaps on failure).
     *
     * @param size  bytes, more than 0
     * @param align the alignment the device needs for the device address (power of two)
     * @throws DmaException {@link DmaError.NoMemory} when no mapping or bounce space is left
     */
    DmaHandle.Mapped mapSingle(DmaMask dmaMask, long addr, long size, long align, DmaDirection direction) throws DmaException;

    /** Ends a mapping (Linux {@code dma_unmap_single}); frees a bounce buffer; no cache maintenance. */
    void unmapSingle(DmaHandle.Mapped handle);

    /**
     * Allocates memory both CPU and device may use, with {@code layout}'s size and alignment,
     * inside {@code dmaMask} where the platform can; empty when there is no memory. Contents are
     * unspecified (the caller zeroes).
     */
    Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout);

    /** Frees an allocation of {@link #allocCoherent} (also one of size 0). */
    void deallocCoherent(DmaHandle.Coherent handle);

    /** Writes the CPU cache's dirty lines of [addr, addr + size) to memory: a full barrier, then clean. */
    void flush(long addr, long size);

    /** Drops the CPU cache's lines of [addr, addr + size): invalidate, then a full barrier. */
    void invalidate(long addr, long size);

    /** Clean then drop the lines of [addr, addr + size), between full barriers. */
    void flushInvalidate(long addr, long size);

    /**
     * Before the CPU reads [offset, offset + size) of {@code handle}: for FROM_DEVICE and
     * BIDIRECTIONAL, invalidate the range the device wrote (the bounce copy when there is one, and
     * then copy it back to the original); for TO_DEVICE nothing.
     */
    default void prepareRead(DmaHandle handle, long offset, long size, DmaDirection direction) {
        if (!DmaDirection.requireMappable(direction).deviceWrites()) {
            return;
        }
        if (handle instanceof DmaHandle.Mapped m && m.bounceCpuAddr().isPresent()) {
            long bounce = m.bounceCpuAddr().getAsLong();
            invalidate(bounce + offset, size);
            CpuCopy.copy(cpu(), bounce + offset, m.cpuAddr() + offset, size);
        } else {
            invalidate(handle.cpuAddr() + offset, size);
        }
    }

    /**
     * After the CPU wrote [offset, offset + size) of {@code handle}: for TO_DEVICE and
     * BIDIRECTIONAL, copy the original into the bounce copy when there is one, then flush the range
     * the device will read (the bounce copy; the crate flushed the original here); for FROM_DEVICE
     * nothing.
     */
    default void confirmWrite(DmaHandle handle, long offset, long size, DmaDirection direction) {
        if (!DmaDirection.requireMappable(direction).deviceReads()) {
            return;
        }
        if (handle instanceof DmaHandle.Mapped m && m.bounceCpuAddr().isPresent()) {
            long bounce = m.bounceCpuAddr().getAsLong();
            CpuCopy.copy(cpu(), m.cpuAddr() + offset, bounce + offset, size);
            flush(bounce + offset, size);
        } else {
            flush(handle.cpuAddr() + offset, size);
        }
    }
}
