package org.jdma.kernel.iommu;

import org.jdma.kernel.dma.DmaDirection;

/** What a device may do through one IOMMU mapping (Linux {@code IOMMU_READ | IOMMU_WRITE}). */
public enum IoPermission {
    READ(true, false),
    WRITE(false, true),
    READ_WRITE(true, true);

    private final boolean read;
    private final boolean write;

    IoPermission(boolean read, boolean write) {
        this.read = read;
        this.write = write;
    }

    public boolean read() { return read; }
    public boolean write() { return write; }

    /** Linux {@code dma_info_to_prot}: TO_DEVICE → device reads; FROM_DEVICE → device writes. */
    public static IoPermission of(DmaDirection direction) {
        return switch (direction) {
            case TO_DEVICE -> READ;
            case FROM_DEVICE -> WRITE;
            case BIDIRECTIONAL -> READ_WRITE;
            case NONE -> throw new IllegalArgumentException("DMA direction NONE gives the device no access to map");
        };
    }
}
