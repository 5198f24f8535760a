package org.jdma.machine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.memory.MmioWindow;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.spec.msi.MsiMessageLayout;

/**
 * The memory map firmware hands the OS (what INT 15h E820 or the UEFI memory map say): RAM, with
 * the DMAR's reserved memory regions cut out as RESERVED, and RESERVED entries for every MMIO
 * window at hand-over (ECAM, the BARs where firmware placed them, the VT-d registers) and for the
 * interrupt range. Taken once, when the machine is built: a BAR the OS moves later does not
 * change what firmware said.
 */
final class FirmwareMemoryMap {

    private FirmwareMemoryMap() { }

    static List<MemoryMapEntry> of(PhysicalMemory memory, Optional<DmarDescription> dmar) {
        List<MemoryMapEntry> map = new ArrayList<>();
        List<long[]> reserved = rmrrRanges(dmar);
        for (RamRegion r : memory.ramRegions()) {
            long at = r.base();
            for (long[] range : reserved) { // RMRRs lie inside RAM (checked when the machine is built)
                if (range[0] >= r.base() && range[0] < r.base() + r.size()) {
                    if (range[0] > at) {
                        map.add(new MemoryMapEntry(at, range[0] - at, MemoryMapEntry.Type.RAM));
                    }
                    map.add(new MemoryMapEntry(range[0], range[1] - range[0], MemoryMapEntry.Type.RESERVED));
                    at = range[1];
                }
            }
            if (at < r.base() + r.size()) {
                map.add(new MemoryMapEntry(at, r.base() + r.size() - at, MemoryMapEntry.Type.RAM));
            }
        }
        for (MmioWindow w : memory.mmioWindows()) {
            map.add(new MemoryMapEntry(w.base(), w.size(), MemoryMapEntry.Type.RESERVED));
        }
        map.add(new MemoryMapEntry(MsiMessageLayout.INTERRUPT_RANGE_BASE, MsiMessageLayout.INTERRUPT_RANGE_SIZE,
                MemoryMapEntry.Type.RESERVED));
        map.sort((a, b) -> Long.compareUnsigned(a.base(), b.base()));
        return List.copyOf(map);
    }

    /** The union of the DMAR's RMRR ranges as sorted, disjoint [start, end) pairs. */
    private static List<long[]> rmrrRanges(Optional<DmarDescription> dmar) {
        List<long[]> ranges = dmar.stream()
                .flatMap(d -> d.structuresOf(DmarDescription.ReservedMemoryRegion.class).stream())
                .map(r -> new long[] {r.base(), r.limit() + 1})
                .sorted(Comparator.comparingLong(a -> a[0]))
                .toList();
        List<long[]> merged = new ArrayList<>();
        for (long[] r : ranges) {
            if (!merged.isEmpty() && r[0] <= merged.getLast()[1]) {
                merged.getLast()[1] = Math.max(merged.getLast()[1], r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        return merged;
    }
}
