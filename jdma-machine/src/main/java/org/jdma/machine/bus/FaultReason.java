package org.jdma.machine.bus;

/**
 * Why a DMA failed. Bus-level reasons come from PCIe completion statuses (PCIe Base Spec §2.2.9:
 * Unsupported Request, Completer Abort); translation reasons are filled in by the IOMMU using the
 * VT-d specification's fault reason codes (§7.1.3), carried here as {@code code}.
 */
public enum FaultReason {
    /** No RAM or MMIO claims the address (master abort / Unsupported Request). */
    UNSUPPORTED_REQUEST(0),
    /** The address is an MMIO window; peer-to-peer DMA is not modeled. */
    PEER_TO_PEER(0),
    /** An IOMMU blocked the access; see the result's vtdReason. */
    TRANSLATION(0),
    /** The device's bus mastering is off. */
    BUS_MASTER_DISABLED(0);

    private final int code;

    FaultReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
