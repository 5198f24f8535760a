package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.platform.Cpu;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;

/**
 * The device targets' sandbox: VT-d tables (root, context, 3-level second-level table, VT-d §9.1,
 * §9.3, §9.8) that map {@value #PAGES} pages of RAM at {@link #WINDOW} to the device at
 * {@link #IOVA} and nothing else, translation on, and the check that a device given garbage wrote
 * no byte of RAM outside that window (the IOMMU blocked everything else).
 */
final class IommuWindow {

    static final long PAGE = 4096;
    static final int PAGES = 32;
    /** Physical RAM the IOMMU maps: [WINDOW, WINDOW + BYTES). */
    static final long WINDOW = 0x40000;
    static final long BYTES = PAGES * PAGE;
    /** Where the window appears to the device. */
    static final long IOVA = 0x1_0000_0000L;
    private static final long TABLES = 0x70000;
    private static final long ROOT = TABLES, CONTEXT = TABLES + PAGE, L3 = TABLES + 2 * PAGE, L2 = TABLES + 3 * PAGE,
            L1 = TABLES + 4 * PAGE;

    private final MemorySegment snapshot;
    private final long ramSize;

    /** A window over RAM of {@code ramSize} bytes (from 0), with room for the snapshot the check compares with. */
    IommuWindow(long ramSize) {
        this.ramSize = ramSize;
        this.snapshot = java.lang.foreign.Arena.ofAuto().allocate(ramSize);
    }

    /** Memory Space and Bus Master Enable for {@code slot}, its tables, translation on; returns BAR {@code bar}'s address. */
    static long enable(Machine m, Cpu cpu, RequesterId slot, int bar) {
        return enable(m, cpu, List.of(slot), bar)[0];
    }

    /**
     * The same for several functions on bus 0, all in one domain over the one window; returns
     * each one's BAR {@code bar} address, in order.
     */
    static long[] enable(Machine m, Cpu cpu, List<RequesterId> slots, int bar) {
        long[] bars = new long[slots.size()];
        for (int i = 0; i < bars.length; i++) {
            RequesterId slot = slots.get(i);
            long cfg = m.config().pci().ecamBase() + EcamLayout.offset(slot, 0);
            int command = cpu.read16(cfg + PciConfigLayout.COMMAND) & 0xFFFF;
            cpu.write16(cfg + PciConfigLayout.COMMAND, command | PciConfigLayout.COMMAND_BUS_MASTER | PciConfigLayout.COMMAND_MEMORY_SPACE);
            bars[i] = (cpu.read32(cfg + PciConfigLayout.bar(bar)) & 0xFFFF_FFF0L)
                    | (cpu.read32(cfg + PciConfigLayout.bar(bar + 1)) & 0xFFFF_FFFFL) << 32;
            cpu.write64(ROOT + VtdRootEntryLayout.offsetOf(slot.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
            long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(slot.device(), slot.function());
            cpu.write64(ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
            cpu.write64(ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        }
        cpu.write64(L3 + 8L * VtdPageEntryLayout.indexOf(IOVA, 3), VtdPageEntryLayout.entry(L2, true, true, false));
        cpu.write64(L2 + 8L * VtdPageEntryLayout.indexOf(IOVA, 2), VtdPageEntryLayout.entry(L1, true, true, false));
        for (int p = 0; p < PAGES; p++) {
            long iova = IOVA + p * PAGE;
            cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(iova, 1), VtdPageEntryLayout.entry(WINDOW + p * PAGE, true, true, false));
        }
        long vtd = m.remappingUnits().getFirst().registerBase();
        cpu.write64(vtd + VtdRegisterLayout.RTADDR, ROOT);
        cpu.write32(vtd + VtdRegisterLayout.GCMD, VtdRegisterLayout.GCMD_SRTP);
        cpu.write32(vtd + VtdRegisterLayout.GCMD, VtdRegisterLayout.GCMD_TE);
        return bars;
    }

    /** Remembers RAM as it is now: what the check compares with. */
    void snapshot(MemorySegment ram) {
        MemorySegment.copy(ram, 0, snapshot, 0, ramSize);
    }

    /** Writes {@code bytes} at {@code at} inside the window, as the CPU would, and into the snapshot. */
    void write(MemorySegment ram, long at, byte[] bytes) {
        int n = (int) Math.min(bytes.length, WINDOW + BYTES - at);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ram, at, n);
        MemorySegment.copy(ram, at, snapshot, at, n);
    }

    /** Fails naming the first address outside the window that differs from the snapshot. */
    void checkNothingOutsideChanged(MemorySegment ram) {
        long below = MemorySegment.mismatch(snapshot, 0, WINDOW, ram, 0, WINDOW);
        check(below < 0, () -> "RAM at " + Long.toHexString(below) + ", below the IOMMU window, changed");
        long end = WINDOW + BYTES;
        long above = MemorySegment.mismatch(snapshot, end, ramSize, ram, end, ramSize);
        check(above < 0, () -> "RAM at " + Long.toHexString(end + above) + ", above the IOMMU window, changed");
    }
}
