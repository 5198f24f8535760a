package org.jdma.kernel.compat.veridian;

import org.jdma.spec.vtd.VtdCapabilityLayout;

/**
 * VeridianOS's {@code IommuUnit}: a remapping unit and the capability registers read from it. The
 * original left {@code capability} and {@code extended_capability} at 0 ("MMIO mapping deferred");
 * {@link VeridianIommu#initIommuUnit} reads them from the unit's CAP (0x08) and ECAP (0x10).
 *
 * @param registerBase       the DRHD's register base address
 * @param segment            PCI segment the unit serves
 * @param capability         CAP_REG
 * @param extendedCapability ECAP_REG
 * @param includeAll         DRHD INCLUDE_PCI_ALL
 */
public record IommuUnit(long registerBase, int segment, long capability, long extendedCapability, boolean includeAll) {

    /** Maximum guest address width in bits (CAP.MGAW + 1). */
    public int mgawBits() {
        return VtdCapabilityLayout.mgawBits(capability);
    }

    /** CAP.SAGAW: bit 1 = 39-bit (3-level) tables, bit 2 = 48-bit (4-level). */
    public int sagaw() {
        return VtdCapabilityLayout.sagaw(capability);
    }

    /** Number of domain ids (2^(4 + 2 * CAP.ND)). */
    public int domainCount() {
        return VtdCapabilityLayout.domainCount(capability);
    }

    /** ECAP.C: the unit's table walks snoop the CPU cache. */
    public boolean pageWalkCoherent() {
        return (extendedCapability & VtdCapabilityLayout.ECAP_C) != 0;
    }

    /** ECAP.PT: context entries may pass DMA through untranslated. */
    public boolean passThrough() {
        return (extendedCapability & VtdCapabilityLayout.ECAP_PT) != 0;
    }

    /** ECAP.QI: queued invalidation. */
    public boolean queuedInvalidation() {
        return (extendedCapability & VtdCapabilityLayout.ECAP_QI) != 0;
    }

    /** CAP.CM: caching mode (an emulated unit that caches not-present entries). */
    public boolean cachingMode() {
        return (capability & VtdCapabilityLayout.CAP_CM) != 0;
    }

    @Override
    public String toString() {
        return String.format("IommuUnit[base %#x, segment %d, CAP %#018x, ECAP %#018x, %s]",
                registerBase, segment, capability, extendedCapability, includeAll ? "INCLUDE_PCI_ALL" : "scoped");
    }
}
