package org.jdma.machine.legacy;

import static org.jdma.spec.vtd.VtdRegisterLayout.CAP;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_ONE_SHOT;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_SRTP;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_TE;
import static org.jdma.spec.vtd.VtdRegisterLayout.GSTS;
import static org.jdma.spec.vtd.VtdRegisterLayout.RTADDR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.ScopeDescription;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.vtd.VtdFaultRecordLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Legacy DMA reaches the IOMMU as the LPC bridge's: with a DRHD whose device scope is 00:1f.0,
 * that unit (and not the INCLUDE_PCI_ALL one) translates a legacy channel's transfers in
 * 00:1f.0's context, and a fault is recorded with 00:1f.0 as its source id.
 */
class LegacyDmaThroughVtdTest {

    static final long MiB = 1L << 20;
    static final RequesterId LPC = LegacyBus.LPC_BRIDGE;
    /** The unit for the LPC bridge, one page above the default unit. */
    static final long LPC_UNIT = MachineConfig.VTD_REGISTER_BASE + 0x1000;
    static final long TABLES = 16 * MiB;
    static final long DATA = 32 * MiB;
    /** Inside RAM, so that an untranslated write would land somewhere visible. */
    static final long IOVA = 0x0123_4000L;
    static final int BASE = 0x250;

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)))
            .withDmar(DmarDescription.of("JDMALPC", MachineConfig.HOST_ADDRESS_WIDTH, DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN,
                    List.of(DmarDescription.RemappingUnit.covering(0, LPC_UNIT, List.of(new ScopeDescription.PciDevice(LPC, 0))),
                            DmarDescription.RemappingUnit.includeAll(0, MachineConfig.VTD_REGISTER_BASE)))));
    private final MachineCpu cpu = machine.cpu();
    private final ScratchDmaDevice device = new ScratchDmaDevice("scratch", BASE, 5, 1);
    private long nextPage = TABLES;

    LegacyDmaThroughVtdTest() {
        machine.legacyBus().plug(device); // plugged after the units exist: the port must still find its unit
    }

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    void shouldPlugTheChannelPortIntoTheUnitWhoseScopeNamesTheLpcBridge() {
        VtdUnit lpcUnit = machine.remappingUnits().get(0);
        VtdUnit allUnit = machine.remappingUnits().get(1);
        DmaPort channel = device.context().dmaPort(1);
        assertSame(lpcUnit, channel.translator());
        assertSame(allUnit, machine.dmaPorts().getFirst().translator(), "the copy engine at 00:04.0 stays on INCLUDE_PCI_ALL");
    }

    @Test
    void shouldTranslateLegacyDmaInTheBridgesContext() {
        long top = translate(LPC);
        map4k(top, IOVA, DATA);
        fill(IOVA + 0x10, 64, 0x5A);
        assertEquals(ScratchDmaDevice.STATUS_DONE, cpu.in8(BASE + ScratchDmaDevice.STATUS));
        assertEquals(0x5A, cpu.read8(DATA + 0x10));
        assertEquals(0x5A, cpu.read8(DATA + 0x10 + 63));
        assertEquals(0, cpu.read8(IOVA + 0x10), "nothing was written at the untranslated address");
        assertTrue(machine.remappingUnits().get(0).translations() > 0);
        assertEquals(0, machine.remappingUnits().get(1).translations());
    }

    @Test
    void shouldFaultWithTheBridgesSourceIdWhenOnlyTheDeviceIdIsMapped() {
        // A context for some other function on bus 0 does not help: only 00:1f.0's context counts.
        long top = translate(RequesterId.of(0, 0x1E, 0));
        map4k(top, IOVA, DATA);
        setRootPointerAndEnable();
        fill(IOVA, 16, 0x77);
        assertEquals(ScratchDmaDevice.STATUS_DONE | ScratchDmaDevice.STATUS_FAULT, cpu.in8(BASE + ScratchDmaDevice.STATUS));
        assertEquals(0, cpu.read8(DATA));
        long cap = cpu.read64(LPC_UNIT + CAP);
        int fro = (int) ((cap >>> VtdCapabilityLayout.CAP_FRO_SHIFT) & VtdCapabilityLayout.CAP_FRO_MASK);
        long hi = cpu.read64(LPC_UNIT + VtdRegisterLayout.frcdOffset(fro, 0) + VtdFaultRecordLayout.HI);
        assertTrue(VtdFaultRecordLayout.isFault(hi));
        assertEquals(LPC.sourceId(), VtdFaultRecordLayout.sourceId(hi), "source id 00:1f.0 = 0xf8");
        assertFalse(VtdFaultRecordLayout.isRead(hi));
        assertEquals(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT.code(), VtdFaultRecordLayout.reason(hi));
    }

    /** Has the device fill [bus, +length) with {@code pattern}, driven over its ports, and waits. */
    private void fill(long bus, int length, int pattern) {
        cpu.out32(BASE + ScratchDmaDevice.ADDRESS, (int) bus);
        cpu.out8(BASE + ScratchDmaDevice.LENGTH, length);
        cpu.out8(BASE + ScratchDmaDevice.PATTERN, pattern);
        cpu.out8(BASE + ScratchDmaDevice.COMMAND, ScratchDmaDevice.CMD_FILL);
        machine.clock().runUntilIdle();
    }

    // ---- the LPC unit, programmed as an OS would: tables in RAM, registers through MMIO

    private long root = -1;

    private long page() {
        long p = nextPage;
        nextPage += VtdPageEntryLayout.PAGE_SIZE;
        cpu.fill(p, VtdPageEntryLayout.PAGE_SIZE, (byte) 0);
        return p;
    }

    /** A translated context (domain 1, 3-level) for {@code rid}; returns its top-level table. */
    private long translate(RequesterId rid) {
        if (root < 0) {
            root = page();
        }
        long ct = page();
        cpu.write64(root + VtdRootEntryLayout.offsetOf(rid.bus()), VtdRootEntryLayout.lo(ct, true));
        long top = page();
        long at = ct + VtdContextEntryLayout.offsetOf(rid.device(), rid.function());
        cpu.write64(at + VtdContextEntryLayout.HI, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
        cpu.write64(at + VtdContextEntryLayout.LO, VtdContextEntryLayout.lo(top, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        if (rid.equals(LPC)) {
            setRootPointerAndEnable();
        }
        return top;
    }

    private void setRootPointerAndEnable() {
        cpu.write64(LPC_UNIT + RTADDR, root);
        command(GCMD_SRTP);
        command(GCMD_TE);
        assertTrue((cpu.read32(LPC_UNIT + GSTS) & GCMD_TE) != 0, "translation enabled");
    }

    private void command(int bit) {
        int status = cpu.read32(LPC_UNIT + GSTS) & ~GCMD_ONE_SHOT;
        cpu.write32(LPC_UNIT + GCMD, status | bit);
    }

    private void map4k(long top, long iova, long phys) {
        long table = top;
        for (int level = 3; level > 1; level--) {
            long at = table + (long) VtdPageEntryLayout.indexOf(iova, level) * VtdPageEntryLayout.SIZE;
            long e = cpu.read64(at);
            if (!VtdPageEntryLayout.present(e)) {
                e = VtdPageEntryLayout.entry(page(), true, true, false);
                cpu.write64(at, e);
            }
            table = e & VtdPageEntryLayout.ADDRESS_MASK;
        }
        cpu.write64(table + (long) VtdPageEntryLayout.indexOf(iova, 1) * VtdPageEntryLayout.SIZE,
                VtdPageEntryLayout.entry(phys, true, true, false));
    }
}
