package org.jdma.kernel.compat.veridian;


/**
 * VeridianOS's {@code DmaCoherency}: the cache policy a DMA buffer was allocated with. Recorded per
 * allocation; {@link VeridianIommu#allocDmaBuffer} hands out {@link #COHERENT} buffers only on a
 * machine whose DMA snoops the CPU cache (x86), as VeridianOS does.
 */
public enum DmaCoherency {
    /** The hardware keeps the CPU cache coherent with DMA (the default on x86). */
    COHERENT,
    /** Software must clean and invalidate cache lines around DMA. */
    NON_COHERENT,
    /** Write-combined mapping for sequential writes (framebuffers); not cached for reads. */
    WRITE_COMBINING
}
