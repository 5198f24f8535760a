package org.jdma.kernel.acpi;

import java.util.List;
import java.util.Optional;
import org.jdma.spec.pci.RequesterId;

/**
 * A parsed MCFG table (PCI Firmware Specification 3.2 §4.1.2): where each segment's PCI
 * configuration space is mapped (ECAM).
 *
 * @param header      the ACPI header
 * @param allocations the allocation structures in table order
 */
public record McfgTable(AcpiTableHeader header, List<McfgAllocation> allocations) {

    public McfgTable {
        allocations = List.copyOf(allocations);
    }

    /** The first allocation whose region holds {@code function}'s configuration space. */
    public Optional<McfgAllocation> allocationFor(RequesterId function) {
        return allocations.stream().filter(a -> a.covers(function)).findFirst();
    }
}
