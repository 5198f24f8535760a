package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import org.jdma.spec.vtd.VtdCapabilityLayout;

/**
 * Register-based invalidation (VT-d §6.5.1): CCMD for the context cache (§10.4.7), IVA and the
 * IOTLB register at ECAP.IRO for the IOTLB (§10.4.8); each request is written with its
 * self-clearing bit (ICC, IVT), which is polled until the unit clears it. An IOTLB request the
 * unit reports as not performed (IAIG 0) is an error. Requests drain reads and writes when CAP
 * offers it (DRD, DWD), as Linux does.
 */
final class RegisterInvalidator implements Invalidator {

    private final UnitRegisters regs;
    private final long cap;
    private final int iro;

    RegisterInvalidator(UnitRegisters regs, long cap, long ecap) {
        this.regs = regs;
        this.cap = cap;
        this.iro = VtdCapabilityLayout.iro(ecap);
    }

    @Override
    public void context(int granularity, int domainId, int sourceId) {
        long v = CCMD_ICC | ((long) granularity << CCMD_CIRG_SHIFT) | ((long) (sourceId & 0xFFFF) << CCMD_SID_SHIFT)
                | (domainId & CCMD_DID_MASK);
        regs.write64(CCMD, v);
        regs.poll(() -> (regs.read64(CCMD) & CCMD_ICC) == 0, "CCMD.ICC to clear");
    }

    @Override
    public void iotlb(int granularity, int domainId, long address, int mask) {
        boolean dr = (cap & VtdCapabilityLayout.CAP_DRD) != 0;
        boolean dw = (cap & VtdCapabilityLayout.CAP_DWD) != 0;
        if (granularity == IOTLB_PAGE) {
            regs.write64(ivaOffset(iro), (address & IVA_ADDR_MASK) | (mask & IVA_AM_MASK));
        }
        long v = IOTLB_IVT | ((long) granularity << IOTLB_IIRG_SHIFT) | ((long) (domainId & 0xFFFF) << IOTLB_DID_SHIFT)
                | (dr ? IOTLB_DR : 0) | (dw ? IOTLB_DW : 0);
        regs.write64(iotlbOffset(iro), v);
        regs.poll(() -> (regs.read64(iotlbOffset(iro)) & IOTLB_IVT) == 0, "IOTLB.IVT to clear");
        long done = regs.read64(iotlbOffset(iro));
        if (((done >>> IOTLB_IAIG_SHIFT) & IOTLB_GRANULARITY_MASK) == 0) {
            throw new IllegalStateException(String.format(
                    "VT-d unit %#x: IOTLB invalidation (granularity %d, DID %d) reported IAIG 0: not performed",
                    regs.base(), granularity, domainId));
        }
    }
}
