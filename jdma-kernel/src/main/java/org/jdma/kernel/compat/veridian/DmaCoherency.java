package org.jdma.kernel.compat.veridian;


/**
 * VeridianOS's {@code DmaCoherency}: the cache policy a DMA buffer was allocated with, recorded per
 * allocation, and what decides its cache maintenance. {@link VeridianIommu#allocDmaBuffer(long,
 * org.jdma.kernel.dma.DmaDirection)} labels a buffer with what the machine does (COHERENT where DMA
 * snoops the cache, NON_COHERENT where it does not); the three-argument form takes a policy.
 */
public enum DmaCoherency {
    /** The hardware keeps the CPU cache coherent with DMA (the default on x86). */
    COHERENT,
    /** Software must clean and invalidate cache lines around DMA. */
    NON_COHERENT,
    /**
     * Write-combined mapping for sequential writes (framebuffers, command buffers): never cached, so
     * no clean or invalidate; stores collect in the CPU's write-combining buffers, so a write barrier
     * before the device reads ({@link VeridianIommu#syncForDevice}).
     */
    WRITE_COMBINING
}
