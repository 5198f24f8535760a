package org.jdma.platform;

/**
 * The memory type of a physical range for CPU accesses (x86 PAT / MTRR types, arm64 MAIR
 * attributes): whether the CPU goes through the cache. Coherent DMA buffers on a non-coherent
 * machine are mapped UNCACHED, as arm64 maps {@code dma_alloc_coherent} memory Normal-NC.
 */
public enum MemoryType {
    /** Cached, write-back (the default for RAM). */
    WRITE_BACK,
    /** Every CPU access goes to memory; the cache holds no line of the range. */
    UNCACHED
}
