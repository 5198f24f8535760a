package org.jdma.kernel.acpi;

import java.util.List;

/**
 * A parsed DMAR table (VT-d §8.1 "DMA Remapping Reporting Structure").
 *
 * @param header            the ACPI header
 * @param hostAddressWidth  byte 36: the platform's DMA physical address width minus one
 * @param flags             byte 37: {@link #FLAG_INTR_REMAP}, {@link #FLAG_X2APIC_OPT_OUT},
 *                          {@link #FLAG_DMA_CTRL_PLATFORM_OPT_IN}
 * @param structures        the remapping structures in table order
 */
public record DmarTable(AcpiTableHeader header, int hostAddressWidth, int flags, List<RemappingStructure> structures) {

    public static final int FLAG_INTR_REMAP = 0x01;
    public static final int FLAG_X2APIC_OPT_OUT = 0x02;
    public static final int FLAG_DMA_CTRL_PLATFORM_OPT_IN = 0x04;

    public DmarTable {
        structures = List.copyOf(structures);
    }

    /** Physical address bits the platform supports for DMA (HAW + 1). */
    public int physicalAddressBits() {
        return hostAddressWidth + 1;
    }

    public <T extends RemappingStructure> List<T> structuresOf(Class<T> kind) {
        return structures.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
