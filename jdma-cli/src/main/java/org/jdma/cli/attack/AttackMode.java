package org.jdma.cli.attack;

/** How the machine under attack runs its IOMMU. */
public enum AttackMode {
    /** No DMA remapping: devices use physical addresses. */
    OFF,
    /** Translation on; every unmap is invalidated before it returns. */
    STRICT,
    /** Translation on; unmaps are invalidated in batches by the flush queue (10 ms or 256 entries). */
    LAZY;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
