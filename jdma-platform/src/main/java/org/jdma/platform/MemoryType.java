package org.jdma.platform;

/**
 * The memory type of a physical range for CPU accesses (x86 PAT / MTRR types, Intel SDM Vol. 3A
 * §12.3 "Methods of Caching Available"; arm64 MAIR attributes): whether the CPU goes through the
 * cache. Coherent DMA buffers on a non-coherent machine are mapped UNCACHED, as arm64 maps
 * {@code dma_alloc_coherent} memory Normal-NC.
 */
public enum MemoryType {
    /** Cached, write-back (the default for RAM). */
    WRITE_BACK,
    /** Every CPU access goes to memory, in program order; the cache holds no line of the range. */
    UNCACHED,
    /**
     * Write-combining (x86 WC, SDM §12.3.1; arm64 Normal Non-cacheable is the nearest): loads read
     * memory, no line is ever allocated; stores bypass the cache and collect in a few
     * write-combining buffers that reach memory only when a buffer fills, is evicted, or is drained
     * by {@link CacheMaintenance#writeBarrier()}, a release store or an uncached access, in no
     * promised order. Devices, snooping or not, never see a store still in a buffer.
     */
    WRITE_COMBINING
}
