package org.jdma.kernel.compat.veridian;

import java.util.List;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.RemappingStructure;

/**
 * VeridianOS's {@code DmarInfo}, as a view of the kernel's parsed {@link DmarTable} (which also keeps
 * every other structure type, device scopes with all their path entries, and the header).
 */
public record DmarInfo(DmarTable table) {

    public DmarInfo {
        java.util.Objects.requireNonNull(table, "table");
    }

    /** The raw HAW byte: physical address bits - 1. */
    public int hostAddressWidth() {
        return table.hostAddressWidth();
    }

    /** Bit 0 INTR_REMAP, bit 1 X2APIC_OPT_OUT, bit 2 DMA_CTRL_PLATFORM_OPT_IN. */
    public int flags() {
        return table.flags();
    }

    public List<RemappingStructure.Drhd> drhdUnits() {
        return table.structuresOf(RemappingStructure.Drhd.class);
    }

    public List<RemappingStructure.Rmrr> rmrrRegions() {
        return table.structuresOf(RemappingStructure.Rmrr.class);
    }
}
