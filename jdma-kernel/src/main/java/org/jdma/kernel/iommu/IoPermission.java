package org.jdma.kernel.iommu;

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
}
