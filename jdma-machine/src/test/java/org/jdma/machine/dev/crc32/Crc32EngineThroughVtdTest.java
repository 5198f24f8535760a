package org.jdma.machine.dev.crc32;

import static org.jdma.machine.dev.crc32.Crc32Rig.INPUT;
import static org.jdma.machine.dev.crc32.Crc32Rig.RESULT_AT;
import static org.jdma.machine.dev.crc32.Crc32Rig.SLOT;
import static org.jdma.spec.crc32.Crc32Registers.*;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_SRTP;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_TE;
import static org.jdma.spec.vtd.VtdRegisterLayout.GSTS;
import static org.jdma.spec.vtd.VtdRegisterLayout.RTADDR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.junit.jupiter.api.Test;

/**
 * With translation on, every request of the CRC-32 engine goes through the VT-d unit that covers
 * 00:07.0: it reads and writes where the tables say, and a request the tables do not allow ends the
 * operation with a fault status while the unit records the fault with the engine's source id.
 */
class Crc32EngineThroughVtdTest {

    static final long TABLES = 16L << 20;
    static final long ROOT = TABLES, CONTEXT = TABLES + 0x1000, L3 = TABLES + 0x2000, L2 = TABLES + 0x3000, L1 = TABLES + 0x4000;
    /** IOVAs far from RAM: INPUT's page read-only, RESULT_AT's page read-write; the page after them is unmapped. */
    static final long IOVA_IN = 0x1_0000_0000L, IOVA_OUT = IOVA_IN + 0x1000, IOVA_NONE = IOVA_IN + 0x2000;
    static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    /** Maps IOVA_IN → INPUT (read-only) and IOVA_OUT → RESULT_AT (read-write) for the engine, and turns translation on. */
    static VtdUnit translate(Crc32Rig rig) {
        MachineCpu cpu = rig.cpu;
        for (long p = TABLES; p < TABLES + 0x5000; p += 0x1000) {
            cpu.fill(p, 0x1000, (byte) 0);
        }
        cpu.write64(ROOT + VtdRootEntryLayout.offsetOf(SLOT.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
        long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(SLOT.device(), SLOT.function());
        cpu.write64(ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
        cpu.write64(ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        cpu.write64(L3 + 8L * VtdPageEntryLayout.indexOf(IOVA_IN, 3), VtdPageEntryLayout.entry(L2, true, true, false));
        cpu.write64(L2 + 8L * VtdPageEntryLayout.indexOf(IOVA_IN, 2), VtdPageEntryLayout.entry(L1, true, true, false));
        cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA_IN, 1), VtdPageEntryLayout.entry(INPUT, true, false, false));
        cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA_OUT, 1), VtdPageEntryLayout.entry(RESULT_AT, true, true, false));
        long base = MachineConfig.VTD_REGISTER_BASE;
        cpu.write64(base + RTADDR, ROOT);
        cpu.write32(base + GCMD, GCMD_SRTP);
        assertTrue((cpu.read32(base + GSTS) & GCMD_SRTP) != 0);
        cpu.write32(base + GCMD, GCMD_TE);
        assertTrue((cpu.read32(base + GSTS) & GCMD_TE) != 0);
        return rig.machine.remappingUnits().getFirst();
    }

    @Test
    void shouldReadAndWriteWhereTheTablesSay() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            VtdUnit unit = translate(rig);
            rig.cpu.write(INPUT + 0x10, CHECK);
            rig.start(IOVA_IN + 0x10, CHECK.length, IOVA_OUT + 0x20);
            rig.runIdle();
            assertEquals(STATUS_DONE, rig.reg32(STATUS));
            assertEquals(CHECK_VALUE, rig.cpu.read32(RESULT_AT + 0x20), "written at the physical page IOVA_OUT maps");
            assertTrue(unit.translations() >= 2, "the read and the write were translated: " + unit.translations());
            assertTrue(unit.pendingFaultRecords().isEmpty());
            assertEquals(1, rig.interrupts.size(), "MSI-X writes are not translated (no interrupt remapping)");
        }
    }

    @Test
    void shouldEndInAWriteFaultRecordedByTheUnitWhenTheResultPageIsReadOnly() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            VtdUnit unit = translate(rig);
            rig.cpu.write(INPUT, CHECK);
            rig.start(IOVA_IN, CHECK.length, IOVA_IN + 0x100);
            rig.runIdle();
            assertEquals(STATUS_DONE | STATUS_WRITE_FAULT, rig.reg32(STATUS));
            assertEquals(IOVA_IN + 0x100, rig.reg64(FAULT_ADDR), "the bus address the engine used, not a physical one");
            assertEquals(0, rig.cpu.read32(INPUT + 0x100), "nothing was written through the read-only mapping");
            VtdUnit.FaultRecord rec = unit.pendingFaultRecords().getFirst();
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), rec.reason());
            assertEquals(SLOT.sourceId(), rec.sourceId());
            assertEquals(IOVA_IN, rec.pageAddress());
            assertFalse(rec.read());
            assertEquals(1, rig.interrupts.size(), "the engine still reports the end of the operation");
        }
    }

    @Test
    void shouldEndInAReadFaultRecordedByTheUnitForAnUnmappedInput() {
        try (Crc32Rig rig = new Crc32Rig().busMaster().msix()) {
            VtdUnit unit = translate(rig);
            rig.start(IOVA_NONE, 64, IOVA_OUT);
            rig.runIdle();
            assertEquals(STATUS_DONE | STATUS_READ_FAULT, rig.reg32(STATUS));
            assertEquals(IOVA_NONE, rig.reg64(FAULT_ADDR));
            VtdUnit.FaultRecord rec = unit.pendingFaultRecords().getFirst();
            assertEquals(SLOT.sourceId(), rec.sourceId());
            assertEquals(IOVA_NONE, rec.pageAddress());
            assertTrue(rec.read());
            assertEquals(0, rig.cpu.read32(RESULT_AT), "no result write");
        }
    }
}
