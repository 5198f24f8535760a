package org.jdma.machine.dev.ixgbe;

import static org.jdma.machine.dev.ixgbe.IxgbeRig.SLOT;
import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.ERR_RXE;
import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.STAT_DD;
import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.STAT_EOP;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_EOP;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_IFCS;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_SRTP;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_TE;
import static org.jdma.spec.vtd.VtdRegisterLayout.RTADDR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.junit.jupiter.api.Test;

/**
 * With translation on, every descriptor and packet byte of the port goes through the VT-d unit: a
 * buffer address the tables do not map gives a counted error and writes no memory, and the port
 * goes on with the next descriptor.
 */
class IxgbeThroughVtdTest {

    static final long TABLES = 16L << 20;
    static final long ROOT = TABLES, CONTEXT = TABLES + 0x1000, L3 = TABLES + 0x2000, L2 = TABLES + 0x3000, L1 = TABLES + 0x4000;
    static final long IOVA_RX_RING = 0x1_0000_0000L, IOVA_BUF = IOVA_RX_RING + 0x1000, IOVA_NONE = IOVA_RX_RING + 0x2000;
    static final long IOVA_TX_RING = IOVA_RX_RING + 0x3000;

    /** Maps the RX ring of queue 0, buffer 1 of queue 0 and the TX ring of queue 0 for the port, and turns translation on. */
    static VtdUnit translate(IxgbeRig rig) {
        MachineCpu cpu = rig.cpu;
        for (long p = TABLES; p < TABLES + 0x5000; p += 0x1000) {
            cpu.fill(p, 0x1000, (byte) 0);
        }
        cpu.write64(ROOT + VtdRootEntryLayout.offsetOf(SLOT.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
        long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(SLOT.device(), SLOT.function());
        cpu.write64(ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
        cpu.write64(ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
        cpu.write64(L3 + 8L * VtdPageEntryLayout.indexOf(IOVA_RX_RING, 3), VtdPageEntryLayout.entry(L2, true, true, false));
        cpu.write64(L2 + 8L * VtdPageEntryLayout.indexOf(IOVA_RX_RING, 2), VtdPageEntryLayout.entry(L1, true, true, false));
        cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA_RX_RING, 1),
                VtdPageEntryLayout.entry(IxgbeRig.rxRing(0), true, true, false));
        cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA_BUF, 1),
                VtdPageEntryLayout.entry(IxgbeRig.rxBuffer(0, 1), true, true, false));
        cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(IOVA_TX_RING, 1),
                VtdPageEntryLayout.entry(IxgbeRig.txRing(0), true, true, false));
        long base = MachineConfig.VTD_REGISTER_BASE;
        cpu.write64(base + RTADDR, ROOT);
        cpu.write32(base + GCMD, GCMD_SRTP);
        cpu.write32(base + GCMD, GCMD_TE);
        return rig.machine.remappingUnits().getFirst();
    }

    @Test
    void shouldCountAnUnmappedBufferWriteNoMemoryAndGoOn() {
        try (IxgbeRig rig = new IxgbeRig().busMaster().linkUp()) {
            VtdUnit unit = translate(rig);
            rig.startRx(0, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM);
            rig.write(rdbal(0), (int) IOVA_RX_RING);
            rig.write(rdbah(0), (int) (IOVA_RX_RING >>> 32));
            long d0 = IxgbeRig.rxRing(0);
            rig.cpu.write64(d0 + AdvancedRxDescriptorLayout.PKT_ADDR, IOVA_NONE);
            rig.cpu.write64(d0 + AdvancedRxDescriptorLayout.SIZE + AdvancedRxDescriptorLayout.PKT_ADDR, IOVA_BUF);
            rig.cpu.fill(IxgbeRig.rxBuffer(0, 0), 4096, (byte) 0);
            rig.cpu.fill(IxgbeRig.rxBuffer(0, 1), 4096, (byte) 0);
            byte[] first = rig.toPort(60, 1);
            byte[] second = rig.toPort(60, 2);
            rig.far.transmit(first);
            rig.runIdle();
            assertEquals(STAT_DD | STAT_EOP | ERR_RXE, rig.rxStatus(0, 0), "written back through the mapped ring, with RXE");
            assertEquals(1, rig.port.faults().bufferFaults());
            assertEquals(EICR_PCI, rig.reg(EICR) & EICR_PCI);
            assertArrayEquals(new byte[60], rig.rxData(0, 0, 60), "no memory written");
            assertArrayEquals(new byte[60], rig.rxData(0, 1, 60));
            VtdUnit.FaultRecord rec = unit.pendingFaultRecords().getFirst();
            assertEquals(SLOT.sourceId(), rec.sourceId());
            assertEquals(IOVA_NONE, rec.pageAddress());
            assertFalse(rec.read());
            rig.far.transmit(second);
            rig.runIdle();
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 1));
            assertArrayEquals(second, rig.rxData(0, 1, 60), "the next frame lands where IOVA_BUF maps");
        }
    }

    @Test
    void shouldCountARefusedDescriptorFetchAndConsumeNothing() {
        try (IxgbeRig rig = new IxgbeRig().busMaster().linkUp()) {
            translate(rig);
            rig.startTx(0, 16);
            rig.putTx(0, 0, IxgbeRig.frame(IxgbeRig.PEER_MAC, 0x0800, 60, 3), DCMD_IFCS | DCMD_EOP, 60);
            rig.write(tdbal(0), (int) IOVA_NONE);
            rig.write(tdbah(0), (int) (IOVA_NONE >>> 32));
            rig.write(tdt(0), 1);
            rig.runIdle();
            assertEquals(1, rig.port.faults().descriptorFetchFaults());
            assertEquals(0, rig.reg(tdh(0)), "the descriptor is not consumed");
            assertEquals(0, rig.far.received.size());
            assertEquals(EICR_PCI, rig.reg(EICR) & EICR_PCI);
            rig.write(tdbal(0), (int) IOVA_TX_RING);
            rig.write(tdbah(0), (int) (IOVA_TX_RING >>> 32));
            rig.write(tdt(0), 1);
            rig.runIdle();
            assertEquals(1, rig.port.faults().bufferFaults(), "the ring is mapped now; its data buffer is not");
            assertEquals(1, rig.port.faults().droppedTransmits());
            assertEquals(1, rig.reg(tdh(0)), "the port moved on");
        }
    }
}
