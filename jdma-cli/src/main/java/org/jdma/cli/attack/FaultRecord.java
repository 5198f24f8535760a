package org.jdma.cli.attack;

import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.pci.RequesterId;

/**
 * One DMA fault as a report line: who, where, which way, why. Built from the kernel's fault record
 * (what the VT-d driver read out of the unit's fault recording registers) or from the device's own
 * DMA result, so the two can be compared.
 *
 * @param device  requester id of the device that faulted
 * @param address the faulting address; the unit records page granularity (FI = address bits 63:12)
 * @param access  read or write
 * @param reason  the VT-d fault reason code (0 when the fault is not a translation fault)
 */
public record FaultRecord(RequesterId device, long address, Access access, int reason) {

    static final long PAGE_MASK = ~0xFFFL;

    public static FaultRecord of(RequesterId device, DmaResult r) {
        return new FaultRecord(device, r.faultAddress(), r.access(), r.vtdReason());
    }

    /** Same device, same 4 KiB page, same direction, same reason: what the unit can record. */
    public boolean sameFaultAs(FaultRecord other) {
        return device.equals(other.device) && (address & PAGE_MASK) == (other.address & PAGE_MASK)
                && access == other.access && reason == other.reason;
    }

    public String reasonText() {
        return VtdFaultReason.ofCode(reason).map(r -> String.format("%#x %s", r.code(), r.name())).orElse(String.format("%#x", reason));
    }

    @Override
    public String toString() {
        return String.format("%s %s %#x reason %s", device, access == Access.WRITE ? "W" : "R", address, reasonText());
    }
}
