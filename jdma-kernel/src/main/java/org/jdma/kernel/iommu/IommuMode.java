package org.jdma.kernel.iommu;

/**
 * How the kernel uses the remapping hardware (Linux {@code intel_iommu=off}, {@code iommu.strict=1},
 * {@code iommu.strict=0}, {@code iommu=pt}).
 */
public enum IommuMode {
    /** Units are left alone: translation stays disabled and every DMA is physical. */
    OFF,
    /** DMA domains; every unmap is invalidated before it returns. */
    STRICT,
    /** DMA domains with a flush queue: unmaps are invalidated in batches. */
    LAZY,
    /** Translation on, every device in the identity domain (pass-through or 1:1 tables). */
    IDENTITY
}
