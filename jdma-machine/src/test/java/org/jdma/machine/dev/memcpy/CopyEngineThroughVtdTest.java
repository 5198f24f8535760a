package org.jdma.machine.dev.memcpy;

import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.jdma.spec.vtd.VtdRegisterLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.machine.MachineConfig;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * The copy engine's every DMA (ring fetch, source, destination, completion record) goes through the
 * VT-d unit that covers it once translation is on: a remapped source is read from where the tables
 * say, and a write to a read-only page ends in a page-fault completion with the fault recorded.
 */
class CopyEngineThroughVtdTest {

    static final long TABLES = 0x100_0000;           // 16 MiB: root, context, paging tables
    static final long ROOT = TABLES, CONTEXT = TABLES + 0x1000, L3 = TABLES + 0x2000, LOW_L2 = TABLES + 0x3000;
    static final long REMAP_L2 = TABLES + 0x4000, REMAP_L1 = TABLES + 0x5000;
    /** An IOVA far from any RAM, mapped read-only onto DATA. */
    static final long REMAPPED = 0x1_0000_0000L;
    static final long SIZE_2M = 2L << 20;

    /** Identity-maps [0, 16 MiB) with 2 MiB pages, maps REMAPPED → DATA read-only, and turns translation on. */
    static VtdUnit translate(EngineRig rig) {
        var cpu = rig.cpu;
        for (long p = TABLES; p < TABLES + 0x6000; p += 0x1000) {
            cpu.fill(p, 0x1000, (byte) 0);
        }
        RequesterId dev = rig.engine.requester();
        cpu.write64(ROOT + VtdRootEntryLayout.offsetOf(dev.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
        long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(dev.device(), dev.function());
        cpu.write64(ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
        cpu.write64(ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        cpu.write64(L3, VtdPageEntryLayout.entry(LOW_L2, true, true, false));
        for (int i = 0; i < 8; i++) {
            cpu.write64(LOW_L2 + 8L * i, VtdPageEntryLayout.entry(i * SIZE_2M, true, true, true));
        }
        cpu.write64(L3 + 8L * VtdPageEntryLayout.indexOf(REMAPPED, 3), VtdPageEntryLayout.entry(REMAP_L2, true, true, false));
        cpu.write64(REMAP_L2 + 8L * VtdPageEntryLayout.indexOf(REMAPPED, 2), VtdPageEntryLayout.entry(REMAP_L1, true, true, false));
        cpu.write64(REMAP_L1 + 8L * VtdPageEntryLayout.indexOf(REMAPPED, 1), VtdPageEntryLayout.entry(DATA, true, false, false));

        long base = MachineConfig.VTD_REGISTER_BASE;
        cpu.write64(base + RTADDR, ROOT);
        cpu.write32(base + GCMD, GCMD_SRTP);
        assertTrue((cpu.read32(base + GSTS) & GCMD_SRTP) != 0);
        cpu.write32(base + GCMD, GCMD_TE);
        assertTrue((cpu.read32(base + GSTS) & GCMD_TE) != 0);
        return rig.machine.remappingUnits().getFirst();
    }

    @Test
    void shouldReadARemappedSourceWhereTheTablesSay() {
        try (EngineRig rig = new EngineRig()) {
            VtdUnit unit = translate(rig);
            rig.enable(16);
            byte[] src = new byte[256];
            for (int i = 0; i < src.length; i++) {
                src[i] = (byte) (i * 7 + 1);
            }
            rig.cpu.write(DATA, src);
            rig.submit(memmove(REMAPPED, DATA + 0x10000, src.length, recordAddress(0)));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertArrayEquals(src, rig.bytes(DATA + 0x10000, src.length));
            assertTrue(unit.translations() >= 4, "ring fetch, source, destination, record: " + unit.translations());
            assertTrue(unit.pendingFaultRecords().isEmpty());
        }
    }

    @Test
    void shouldEndAWriteToAReadOnlyPageInAPageFaultAndARecordedFault() {
        try (EngineRig rig = new EngineRig()) {
            VtdUnit unit = translate(rig);
            rig.enable(16);
            rig.cpu.fill(DATA, 64, (byte) 0x33);
            rig.submit(memfill(0x0101_0101_0101_0101L, REMAPPED, 64, recordAddress(0)));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, c.code());
            assertTrue(c.writeFault());
            assertEquals(REMAPPED, c.faultAddress());
            byte[] untouched = new byte[64];
            java.util.Arrays.fill(untouched, (byte) 0x33);
            assertArrayEquals(untouched, rig.bytes(DATA, 64), "the blocked write moved nothing");
            var rec = unit.pendingFaultRecords().getFirst();
            assertEquals(VtdFaultReason.WRITE_NOT_PERMITTED.code(), rec.reason());
            assertEquals(rig.engine.requester().sourceId(), rec.sourceId());
            assertEquals(REMAPPED, rec.pageAddress());
            assertFalse(rec.read());
        }
    }
}
