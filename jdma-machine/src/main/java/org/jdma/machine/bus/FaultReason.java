package org.jdma.machine.bus;

/**
 * Why a DMA failed, in terms that hold for any bus and any IOMMU. The first three are decided by
 * the bus itself (PCIe Base Spec 4.0 §2.2.9 completion statuses, §7.5.1.1 Bus Master Enable); the
 * others are decided by the address translator in front of memory, which adds its own reason as a
 * {@link FaultDetail} (for VT-d the fault reason code of §7.1.3, e.g. "VT-d 0x5"). The translation
 * kinds follow the classes Linux reports for any IOMMU ({@code enum iommu_fault_reason}: permission,
 * out-of-range address, bad table entry or failed fetch) plus the device-wide block.
 */
public enum FaultReason {
    /** No RAM or MMIO claims the address, or the request itself is malformed (Unsupported Request). */
    UNSUPPORTED_REQUEST(false),
    /** The address is an MMIO window; peer-to-peer DMA is not modeled. */
    PEER_TO_PEER(false),
    /** The device's bus mastering is off (PCI command register bit 2). */
    BUS_MASTER_DISABLED(false),
    /** No translation exists for the address (the entry that would map it is not present). */
    NOT_PRESENT(true),
    /** A translation exists but does not allow this access (direction, or a forbidden target). */
    NO_PERMISSION(true),
    /** The address lies beyond the translator's input address width. */
    OUT_OF_RANGE(true),
    /** The translator refuses every request of this device (no domain attached, or a blocking type). */
    BLOCKED(true),
    /** A translation structure could not be read, or holds reserved bits or invalid fields. */
    MALFORMED_TABLE(true);

    private final boolean translation;

    FaultReason(boolean translation) {
        this.translation = translation;
    }

    /** True when an address translator (an IOMMU) refused the request, false for the bus's own refusals. */
    public boolean translation() {
        return translation;
    }

    /**
     * Whether this refusal is a master abort for the device that issued the request: any request
     * while Bus Master Enable is clear (its own interface terminates it, as a conventional PCI
     * master abort), and a failed read (a non-posted request completed with Unsupported Request,
     * PCIe Base 4.0 §7.5.1.1.4, Status: Received Master Abort). A failed write is posted: the
     * device never learns of it.
     */
    public boolean isMasterAbortFor(Access access) {
        return this == BUS_MASTER_DISABLED || access == Access.READ;
    }
}
