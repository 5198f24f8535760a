package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final long TABLE_BYTES = 5 * PAGE;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Map<List<RequesterId>, MemorySegment> TABLE_IMAGES = new ConcurrentHashMap<>();

    private final MemorySegment snapshot;
    private final long ramSize;
    /** The machine whose RAM outside the window the last check found unchanged (none when it failed or did not run). */
    private Machine verified;
    /** The machine whose RAM {@link #restore} left outside the window, so that the snapshot still holds for it. */
    private Machine kept;

    /** A window over RAM of {@code ramSize} bytes (from 0), with room for the snapshot the check compares with. */
    IommuWindow(long ramSize) {
        this.ramSize = ramSize;
        this.snapshot = Arena.ofAuto().allocate(ramSize);
    }

    /** Memory Space and Bus Master Enable for {@code slot}, its tables, translation on; returns BAR {@code bar}'s address. */
    static long enable(Machine m, Cpu cpu, RequesterId slot, int bar) {
        return enable(m, cpu, List.of(slot), bar)[0];
    }

    /**
     * The same for several functions on bus 0, all in one domain over the one window; returns
     * each one's BAR {@code bar} address, in order. The tables go in as one prepared image
     * ({@link #tables}), the bytes the entry-by-entry CPU stores would leave in the zeroed pages.
     */
    static long[] enable(Machine m, Cpu cpu, List<RequesterId> slots, int bar) {
        long[] bars = new long[slots.size()];
        for (int i = 0; i < bars.length; i++) {
            long cfg = m.config().pci().ecamBase() + EcamLayout.offset(slots.get(i), 0);
            int command = cpu.read16(cfg + PciConfigLayout.COMMAND) & 0xFFFF;
            cpu.write16(cfg + PciConfigLayout.COMMAND, command | PciConfigLayout.COMMAND_BUS_MASTER | PciConfigLayout.COMMAND_MEMORY_SPACE);
            bars[i] = (cpu.read32(cfg + PciConfigLayout.bar(bar)) & 0xFFFF_FFF0L)
                    | (cpu.read32(cfg + PciConfigLayout.bar(bar + 1)) & 0xFFFF_FFFFL) << 32;
        }
        cpu.write(TABLES, tables(slots), 0, TABLE_BYTES);
        long vtd = m.remappingUnits().getFirst().registerBase();
        cpu.write64(vtd + VtdRegisterLayout.RTADDR, ROOT);
        cpu.write32(vtd + VtdRegisterLayout.GCMD, VtdRegisterLayout.GCMD_SRTP);
        cpu.write32(vtd + VtdRegisterLayout.GCMD, VtdRegisterLayout.GCMD_TE);
        return bars;
    }

    /**
     * The table pages [TABLES, TABLES + TABLE_BYTES) for {@code slots}, built once per list: the
     * root entry of bus 0, a context entry per function (domain 1, 39-bit), and the three levels
     * that map {@value #PAGES} pages at {@link #IOVA} to {@link #WINDOW}.
     */
    static MemorySegment tables(List<RequesterId> slots) {
        return TABLE_IMAGES.computeIfAbsent(List.copyOf(slots), IommuWindow::buildTables);
    }

    private static MemorySegment buildTables(List<RequesterId> slots) {
        MemorySegment t = MemorySegment.ofArray(new byte[(int) TABLE_BYTES]);
        for (RequesterId slot : slots) {
            put(t, ROOT + VtdRootEntryLayout.offsetOf(slot.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
            long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(slot.device(), slot.function());
            put(t, ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
            put(t, ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        }
        put(t, L3 + 8L * VtdPageEntryLayout.indexOf(IOVA, 3), VtdPageEntryLayout.entry(L2, true, true, false));
        put(t, L2 + 8L * VtdPageEntryLayout.indexOf(IOVA, 2), VtdPageEntryLayout.entry(L1, true, true, false));
        for (int p = 0; p < PAGES; p++) {
            long iova = IOVA + p * PAGE;
            put(t, L1 + 8L * VtdPageEntryLayout.indexOf(iova, 1), VtdPageEntryLayout.entry(WINDOW + p * PAGE, true, true, false));
        }
        return t.asReadOnly();
    }

    private static void put(MemorySegment tables, long address, long entry) {
        tables.set(LE_LONG, address - TABLES, entry);
    }

    /** Remembers RAM as it is now: what the check compares with. */
    void snapshot(MemorySegment ram) {
        MemorySegment.copy(ram, 0, snapshot, 0, ramSize);
        kept = null;
    }

    /**
     * The same for an input on {@code m} after its bring-up, except when {@link #restore} zeroed
     * only the window of {@code m}: then RAM outside the window is what the snapshot holds (the
     * last check found it so, and the bring-up stores the same table image again), and the check
     * compares with the snapshot taken after an earlier bring-up on {@code m}.
     */
    void snapshot(Machine m, MemorySegment ram) {
        if (kept == m) {
            kept = null;
            return;
        }
        snapshot(ram);
    }

    /**
     * {@link ReusedMachine.RamRestore} for a target checked by this window: when the last input on
     * {@code m} passed {@link #checkNothingOutsideChanged(Machine, MemorySegment)}, only the window
     * is zeroed (no byte outside it changed since the snapshot, taken after a bring-up on zeroed RAM,
     * and the next bring-up writes the same tables over the same bytes); otherwise all RAM is.
     */
    void restore(Machine m) {
        if (verified == m && m.config().ram().size() == 1) {
            VtdUnitFuzzTest.ramOf(m).asSlice(WINDOW, BYTES).fill((byte) 0);
            kept = m;
        } else {
            ReusedMachine.zeroAll(m);
            kept = null;
        }
        verified = null;
    }

    /** Writes {@code bytes} at {@code at} inside the window, as the CPU would, and into the snapshot. */
    void write(MemorySegment ram, long at, byte[] bytes) {
        int n = (int) Math.min(bytes.length, WINDOW + BYTES - at);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ram, at, n);
        MemorySegment.copy(ram, at, snapshot, at, n);
    }

    /** {@link #checkNothingOutsideChanged(MemorySegment)}, remembering a pass on {@code m} for {@link #restore}. */
    void checkNothingOutsideChanged(Machine m, MemorySegment ram) {
        verified = null;
        checkNothingOutsideChanged(ram);
        verified = m;
    }

    /** Fails naming the first address outside the window that differs from the snapshot. */
    void checkNothingOutsideChanged(MemorySegment ram) {
        long below = MemorySegment.mismatch(snapshot, 0, WINDOW, ram, 0, WINDOW);
        check(below < 0, () -> changed(below));
        long end = WINDOW + BYTES;
        long above = MemorySegment.mismatch(snapshot, end, ramSize, ram, end, ramSize);
        check(above < 0, () -> changed(end + above));
    }

    private static String changed(long address) {
        return "RAM at " + Long.toHexString(address) + ", " + (address < WINDOW ? "below" : "above") + " the IOMMU window, changed";
    }
}
