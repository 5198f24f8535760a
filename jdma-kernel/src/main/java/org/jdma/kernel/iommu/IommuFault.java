package org.jdma.kernel.iommu;

import java.util.Optional;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.pci.RequesterId;

/**
 * One DMA remapping fault as the fault handler read it from a fault recording register.
 *
 * @param unit       register base of the remapping unit that recorded it
 * @param device     the requester whose DMA was blocked
 * @param iovaPage   the faulting address, page-aligned (the record keeps bits 63:12 only)
 * @param read       true for a read request, false for a write
 * @param reasonCode the FR field
 * @param reason     the decoded reason, empty for a code this kernel does not know
 * @param timeNs     virtual time at which the handler read the record
 */
public record IommuFault(long unit, RequesterId device, long iovaPage, boolean read, int reasonCode,
                         Optional<VtdFaultReason> reason, long timeNs) {

    @Override
    public String toString() {
        return String.format("DMAR fault: %s %s IOVA page %#x, reason %s (unit %#x, t=%d ns)", device,
                read ? "read" : "write", iovaPage,
                reason.map(VtdFaultReason::toString).orElse(String.format("unknown %#x", reasonCode)), unit, timeNs);
    }
}
