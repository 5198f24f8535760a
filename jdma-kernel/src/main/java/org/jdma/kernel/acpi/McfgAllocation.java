package org.jdma.kernel.acpi;

import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * One MCFG allocation structure (PCI Firmware Specification 3.2 §4.1.2, Table 4-3): the ECAM region
 * of buses {@code [startBus, endBus]} of one PCI segment.
 *
 * @param baseAddress ECAM base: the address bus 0's configuration space would have, even when
 *                    {@code startBus} is above 0
 * @param segment     PCI segment group number
 * @param startBus    first bus the region decodes
 * @param endBus      last bus the region decodes
 */
public record McfgAllocation(long baseAddress, int segment, int startBus, int endBus) {

    /** Whether configuration space of {@code function} is in this region. */
    public boolean covers(RequesterId function) {
        return function.segment() == segment && startBus <= function.bus() && function.bus() <= endBus;
    }

    /** The physical address of {@code register} of {@code function} (which this region covers). */
    public long configAddress(RequesterId function, int register) {
        return baseAddress + EcamLayout.offset(function, register);
    }

    /** First byte of the region (bus {@code startBus}). */
    public long regionBase() {
        return baseAddress + ((long) startBus << EcamLayout.BUS_SHIFT);
    }

    /** Bytes of the region: 1 MiB per bus. */
    public long regionSize() {
        return (long) (endBus - startBus + 1) << EcamLayout.BUS_SHIFT;
    }

    @Override
    public String toString() {
        return String.format("segment %04x buses %02x-%02x at %#x", segment, startBus, endBus, regionBase());
    }
}
