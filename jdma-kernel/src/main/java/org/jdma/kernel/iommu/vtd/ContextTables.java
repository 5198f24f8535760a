package org.jdma.kernel.iommu.vtd;

import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;

/**
 * The legacy-mode root table and the context tables it points to (VT-d §3.4.2, §9.1, §9.3): one
 * root entry per bus, one 4 KiB context table per bus that has a device attached, one 128-bit
 * context entry per device and function. Context tables are created on first use and kept; a
 * root entry is made present only once its context table exists.
 */
final class ContextTables {

    private final TableMemory memory;
    private final long rootTable;
    /** Physical address of each bus's context table; 0 when the bus has none yet. */
    private final long[] contextTables = new long[VtdRootEntryLayout.ENTRIES];

    /** Allocates a zeroed root table (every root entry not present). */
    ContextTables(TableMemory memory) {
        this.memory = memory;
        this.rootTable = memory.allocatePage();
    }

    long rootTable() {
        return rootTable;
    }

    /**
     * Physical address of {@code device}'s context entry. With {@code create}, a missing context
     * table is allocated and its root entry made present; without, -1 when the bus has none.
     */
    long entryAddress(RequesterId device, boolean create) {
        int bus = device.bus();
        if (contextTables[bus] == 0) {
            if (!create) {
                return -1;
            }
            long table = memory.allocatePage();
            contextTables[bus] = table;
            memory.write128(rootTable + VtdRootEntryLayout.offsetOf(bus), VtdRootEntryLayout.lo(table, true), 0);
        }
        return contextTables[bus] + VtdContextEntryLayout.offsetOf(device.device(), device.function());
    }

    /** The raw context entry (lo, hi) of {@code device}, or null when its bus has no context table. */
    long[] entry(RequesterId device) {
        long entry = entryAddress(device, false);
        return entry < 0 ? null : new long[] {memory.read64(entry), memory.read64(entry + VtdContextEntryLayout.HI)};
    }
}
