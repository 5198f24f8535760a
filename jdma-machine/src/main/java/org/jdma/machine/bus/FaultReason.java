package org.jdma.machine.bus;

/**
 * Why a DMA failed. Bus-level reasons come from PCIe completion statuses (PCIe Base Spec §2.2.9:
 * Unsupported Request, Completer Abort). For {@link #TRANSLATION} the IOMMU's VT-d fault reason code
 * (§7.1.3) travels in {@link DmaResult#vtdReason()}.
 */
public enum FaultReason {
    /** No RAM or MMIO claims the address (master abort / Unsupported Request). */
    UNSUPPORTED_REQUEST,
    /** The address is an MMIO window; peer-to-peer DMA is not modeled. */
    PEER_TO_PEER,
    /** An IOMMU blocked the access; see the result's vtdReason. */
    TRANSLATION,
    /** The device's bus mastering is off. */
    BUS_MASTER_DISABLED;
}
