package org.jdma.cli.attack;

/**
 * How the machine under attack runs its IOMMU. Every mode but OFF also remaps interrupts (the
 * unit has ECAP.IR and the kernel enables it, as Linux's {@code intremap} default).
 */
public enum AttackMode {
    /** No DMA remapping and no interrupt remapping: devices use physical addresses and write any MSI. */
    OFF("off"),
    /** Translation on with every device in the identity domain (Linux {@code iommu=pt}); interrupts remapped. */
    PASS_THROUGH("pass-through"),
    /** Translation on; unmaps are invalidated in batches by the flush queue (10 ms or 256 entries). */
    LAZY("lazy"),
    /** Translation on; every unmap is invalidated before it returns. */
    STRICT("strict"),
    /**
     * Strict, and the rogue is an untrusted device (Linux's external-facing port): every streaming
     * mapping that does not fill whole pages is bounced, so the device sees no byte that shares a page.
     */
    STRICT_UNTRUSTED("strict+untrusted");

    private final String label;

    AttackMode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the kernel remaps interrupts in this mode. */
    public boolean interruptRemapping() {
        return this != OFF;
    }
}
