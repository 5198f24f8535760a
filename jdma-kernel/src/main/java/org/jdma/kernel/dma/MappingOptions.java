package org.jdma.kernel.dma;

import org.jdma.kernel.dma.swiotlb.Swiotlb;

/**
 * Boot options of the mapping layer (Linux kernel command line and platform data).
 *
 * @param busOffset     added to a physical address to get the bus address a device drives when
 *                      no IOMMU translates (Linux {@code dma_range_map}: dma = phys - cpu_start +
 *                      dma_start). 0 on x86. The machine's devices use physical addresses, so a
 *                      non-zero offset only makes sense with an interconnect that subtracts it.
 * @param swiotlbBytes  size of the bounce-buffer pool, allocated below 4 GiB the first time a
 *                      mapping needs a bounce (Linux {@code swiotlb=}; default 64 MiB); halved
 *                      until it fits, as Linux does, down to 1 MiB; 0 disables bounce buffering
 * @param swiotlbAreas  number of independently locked areas the pool is split into (Linux: one
 *                      per possible CPU, a power of two)
 * @param forceBounce   bounce every streaming mapping of devices without an IOMMU translation
 *                      (Linux {@code swiotlb=force})
 */
public record MappingOptions(long busOffset, long swiotlbBytes, int swiotlbAreas, boolean forceBounce) {

    /** No bus offset, a 64 MiB bounce pool in 4 areas, bounce only when needed. */
    public static final MappingOptions DEFAULTS = new MappingOptions(0, Swiotlb.DEFAULT_SIZE, 4, false);

    public MappingOptions {
        if (swiotlbBytes < 0) {
            throw new IllegalArgumentException("swiotlbBytes must not be negative, was " + swiotlbBytes);
        }
        if (swiotlbAreas < 1 || Integer.bitCount(swiotlbAreas) != 1) {
            throw new IllegalArgumentException("swiotlbAreas must be a power of two >= 1, was " + swiotlbAreas);
        }
    }

    public MappingOptions withBusOffset(long offset) {
        return new MappingOptions(offset, swiotlbBytes, swiotlbAreas, forceBounce);
    }

    public MappingOptions withSwiotlb(long bytes, int areas) {
        return new MappingOptions(busOffset, bytes, areas, forceBounce);
    }

    public MappingOptions withForceBounce(boolean force) {
        return new MappingOptions(busOffset, swiotlbBytes, swiotlbAreas, force);
    }
}
