package org.jdma.kernel.dma;

/** Mapping attributes (Linux {@code DMA_ATTR_*}). Passed as an {@code EnumSet}, usually empty. */
public enum DmaAttr {
    /** Map or unmap without cache maintenance: the driver syncs itself (DMA_ATTR_SKIP_CPU_SYNC). */
    SKIP_CPU_SYNC,
    /** Only privileged device accesses may use the mapping (DMA_ATTR_PRIVILEGED); recorded, not enforced. */
    PRIVILEGED
}
