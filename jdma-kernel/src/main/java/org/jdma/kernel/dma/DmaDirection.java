package org.jdma.kernel.dma;

import org.jdma.kernel.iommu.IoPermission;

/**
 * Which way data moves in a mapping (Linux {@code enum dma_data_direction}, same order). The
 * direction decides the IOMMU permission ({@code dma_info_to_prot}: TO_DEVICE → read only,
 * FROM_DEVICE → write only, BIDIRECTIONAL → both, NONE → no access) and which cache maintenance a
 * sync performs on a non-coherent machine.
 */
public enum DmaDirection {
    BIDIRECTIONAL,
    TO_DEVICE,
    FROM_DEVICE,
    /** Debugging only: no access at all. Mapping with NONE is an error. */
    NONE;

    /** Whether the device may read the buffer (the CPU wrote it for the device). */
    public boolean deviceReads() {
        return this == BIDIRECTIONAL || this == TO_DEVICE;
    }

    /** Whether the device may write the buffer (the CPU will read what the device wrote). */
    public boolean deviceWrites() {
        return this == BIDIRECTIONAL || this == FROM_DEVICE;
    }

    /**
     * The IOMMU permission a mapping in this direction gets (Linux {@code dma_info_to_prot}):
     * TO_DEVICE → the device reads, FROM_DEVICE → it writes, BIDIRECTIONAL → both.
     *
     * @throws IllegalArgumentException for NONE, which gives the device no access to map
     */
    public IoPermission iommuPermission() {
        return switch (this) {
            case TO_DEVICE -> IoPermission.READ;
            case FROM_DEVICE -> IoPermission.WRITE;
            case BIDIRECTIONAL -> IoPermission.READ_WRITE;
            case NONE -> throw new IllegalArgumentException("DMA direction NONE gives the device no access to map");
        };
    }

    /**
     * {@code direction}, when data can move that way: TO_DEVICE, FROM_DEVICE or BIDIRECTIONAL.
     *
     * @throws NullPointerException when direction is null
     * @throws IllegalArgumentException for NONE, a debugging value that carries no data
     */
    public static DmaDirection requireMappable(DmaDirection direction) {
        if (direction == null) {
            throw new NullPointerException("direction");
        }
        if (direction == NONE) {
            throw new IllegalArgumentException("direction NONE cannot be used for DMA: use TO_DEVICE, FROM_DEVICE or BIDIRECTIONAL");
        }
        return direction;
    }
}
