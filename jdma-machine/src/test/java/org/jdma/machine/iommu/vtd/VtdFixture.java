package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.iommu.vtd.VtdUnit;

/**
 * A small machine with the default DMAR (one INCLUDE_PCI_ALL unit) whose unit a test programs
 * as an OS would: tables written into RAM through the CPU with the layout classes, registers
 * through the CPU's MMIO path. The copy engine at 00:04.0 is the device whose DMA is translated.
 */
final class VtdFixture implements AutoCloseable {

    static final long MiB = 1L << 20;
    /** Where the fixture's table pages start (RAM is 64 MiB at 0). */
    static final long TABLES = 16 * MiB;
    /** Data pages a test maps. */
    static final long DATA = 32 * MiB;
    static final RequesterId DEVICE = RequesterId.of(0, 4, 0);
    /** An address below the 39-bit HAW that is not RAM on this machine. */
    static final long NOT_RAM = 0x40_0000_0000L;

    final Machine machine;
    final Cpu cpu;
    final VtdUnit unit;
    final DmaPort port;
    final long base;
    private long nextPage = TABLES;
    private long root = -1;
    private final Arena arena = Arena.ofConfined();

    VtdFixture() {
        this(VtdConfig.DEFAULT);
    }

    VtdFixture(VtdConfig config) {
        this(MachineConfig.defaults().withVtd(config));
    }

    /** {@code config} with the fixture's 64 MiB of RAM. */
    VtdFixture(MachineConfig config) {
        machine = new Machine(config.withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB))));
        cpu = machine.cpu();
        unit = machine.remappingUnits().getFirst();
        port = machine.dmaPorts().getFirst();
        port.busMasterEnabled(true); // as the device's driver would, through Command.Bus Master Enable
        base = MachineConfig.VTD_REGISTER_BASE;
    }

    // ---- registers through the CPU
    int r32(int off) { return cpu.read32(base + off); }
    long r64(int off) { return cpu.read64(base + off); }
    void w32(int off, int v) { cpu.write32(base + off, v); }
    void w64(int off, long v) { cpu.write64(base + off, v); }

    /** Writes a GCMD command the way the spec's pseudo-code does: status with one-shot bits cleared, plus the command. */
    void command(int bit) {
        int status = r32(GSTS) & ~GCMD_ONE_SHOT;
        w32(GCMD, status | bit);
    }

    /** A zeroed 4 KiB page of RAM. */
    long page() {
        long p = nextPage;
        nextPage += VtdPageEntryLayout.PAGE_SIZE;
        cpu.fill(p, VtdPageEntryLayout.PAGE_SIZE, (byte) 0);
        return p;
    }

    /** Allocates a root table, points RTADDR at it, latches it with SRTP and polls RTPS. */
    long setRootTable() {
        root = page();
        w64(RTADDR, root);
        command(GCMD_SRTP);
        assertTrue((r32(GSTS) & GCMD_SRTP) != 0, "RTPS after SRTP");
        return root;
    }

    void enableTranslation() {
        command(GCMD_TE);
        assertTrue((r32(GSTS) & GCMD_TE) != 0, "TES after TE");
    }

    /** The context table of {@code bus}, made present in the root table if it was not. */
    long contextTable(int bus) {
        long at = root + VtdRootEntryLayout.offsetOf(bus);
        long lo = cpu.read64(at);
        if ((lo & VtdRootEntryLayout.LO_P) != 0) {
            return lo & VtdRootEntryLayout.LO_CTP_MASK;
        }
        long ct = page();
        cpu.write64(at, VtdRootEntryLayout.lo(ct, true));
        return ct;
    }

    /** Writes the context entry of {@code rid}. */
    void context(RequesterId rid, long lo, long hi) {
        long at = contextTable(rid.bus()) + VtdContextEntryLayout.offsetOf(rid.device(), rid.function());
        cpu.write64(at + VtdContextEntryLayout.HI, hi);
        cpu.write64(at + VtdContextEntryLayout.LO, lo);
    }

    /** A translated context for the fixture's device: new top-level table, domain {@code did}, {@code aw}. */
    long translatedContext(int did, int aw) {
        long top = page();
        context(DEVICE, VtdContextEntryLayout.lo(top, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true),
                VtdContextEntryLayout.hi(did, aw));
        return top;
    }

    /**
     * Maps {@code iova} to {@code phys} in the tables under {@code top} ({@code levels} deep) with a
     * leaf at {@code leafLevel} (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). Returns the leaf entry's address.
     */
    long map(long top, int levels, long iova, long phys, int leafLevel, boolean read, boolean write) {
        long table = top;
        for (int level = levels; level > leafLevel; level--) {
            long at = table + (long) VtdPageEntryLayout.indexOf(iova, level) * VtdPageEntryLayout.SIZE;
            long e = cpu.read64(at);
            if (!VtdPageEntryLayout.present(e)) {
                e = VtdPageEntryLayout.entry(page(), true, true, false);
                cpu.write64(at, e);
            }
            table = e & VtdPageEntryLayout.ADDRESS_MASK;
        }
        long leaf = table + (long) VtdPageEntryLayout.indexOf(iova, leafLevel) * VtdPageEntryLayout.SIZE;
        cpu.write64(leaf, VtdPageEntryLayout.entry(phys, read, write, leafLevel > 1));
        return leaf;
    }

    long map4k(long top, long iova, long phys) {
        return map(top, 3, iova, phys, 1, true, true);
    }

    /** Root table, one translated context (domain 1, 39-bit) with its top table, translation on. */
    long standardSetup() {
        setRootTable();
        long top = translatedContext(1, VtdContextEntryLayout.AW_39_BIT);
        enableTranslation();
        return top;
    }

    // ---- device DMA
    MemorySegment buffer(long size) {
        return arena.allocate(size);
    }

    DmaResult dmaWrite(long bus, byte[] data) {
        MemorySegment src = buffer(data.length);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, src, 0, data.length);
        return port.write(bus, src, 0, data.length);
    }

    DmaResult dmaRead(long bus, MemorySegment dst) {
        return port.read(bus, dst, 0, dst.byteSize());
    }

    /** One 8-byte device read at {@code bus}; the value, or fails the test naming the result. */
    long dmaReadLong(long bus) {
        MemorySegment dst = buffer(8);
        DmaResult r = port.read(bus, dst, 0, 8);
        if (!r.isOk()) {
            throw new AssertionError("DMA read at 0x" + Long.toHexString(bus) + " failed: " + r);
        }
        return dst.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Override
    public void close() {
        arena.close();
        machine.close();
    }
}
