package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.SLOT;
import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.spec.nvme.NvmeCommands.NVM_READ;
import static org.jdma.spec.nvme.NvmeCommands.NVM_WRITE;
import static org.jdma.spec.nvme.NvmeStatus.DATA_TRANSFER_ERROR;
import static org.jdma.spec.nvme.NvmeStatus.SUCCESS;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_SRTP;
import static org.jdma.spec.vtd.VtdRegisterLayout.GCMD_TE;
import static org.jdma.spec.vtd.VtdRegisterLayout.RTADDR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.junit.jupiter.api.Test;

/**
 * With translation on, queues and data go through the VT-d unit: a data pointer the tables do not
 * map fails that command with Data Transfer Error, writes nothing, and the queue goes on.
 */
class NvmeThroughVtdTest {

    static final long TABLES = 16L << 20;
    static final long ROOT = TABLES, CONTEXT = TABLES + 0x1000, L3 = TABLES + 0x2000, L2 = TABLES + 0x3000, L1 = TABLES + 0x4000;
    static final long IOVA = 0x1_0000_0000L;
    static final long IOVA_ASQ = IOVA, IOVA_ACQ = IOVA + 0x1000, IOVA_SQ = IOVA + 0x2000, IOVA_CQ = IOVA + 0x3000;
    static final long IOVA_BUF = IOVA + 0x4000, IOVA_NONE = IOVA + 0x5000;
    static final long BUF = NvmeRig.DATA;

    static void map(MachineCpu cpu, long iova, long physical) {
        cpu.write64(L1 + 8L * VtdPageEntryLayout.indexOf(iova, 1), VtdPageEntryLayout.entry(physical, true, true, false));
    }

    @Test
    void shouldFailOnlyTheCommandWhoseBufferTheIommuDoesNotMap() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2)) {
            MachineCpu cpu = rig.cpu;
            for (long p = TABLES; p < TABLES + 0x5000; p += 0x1000) {
                cpu.fill(p, 0x1000, (byte) 0);
            }
            cpu.write64(ROOT + VtdRootEntryLayout.offsetOf(SLOT.bus()), VtdRootEntryLayout.lo(CONTEXT, true));
            long ctx = CONTEXT + VtdContextEntryLayout.offsetOf(SLOT.device(), SLOT.function());
            cpu.write64(ctx + 8, VtdContextEntryLayout.hi(1, VtdContextEntryLayout.AW_39_BIT));
            cpu.write64(ctx, VtdContextEntryLayout.lo(L3, VtdContextEntryLayout.TT_MULTI_LEVEL, false, true));
            cpu.write64(L3 + 8L * VtdPageEntryLayout.indexOf(IOVA, 3), VtdPageEntryLayout.entry(L2, true, true, false));
            cpu.write64(L2 + 8L * VtdPageEntryLayout.indexOf(IOVA, 2), VtdPageEntryLayout.entry(L1, true, true, false));
            long sq = 2 * NvmeRig.MiB;
            long cq = 4 * NvmeRig.MiB;
            map(cpu, IOVA_ASQ, NvmeRig.ASQ_BASE);
            map(cpu, IOVA_ACQ, NvmeRig.ACQ_BASE);
            map(cpu, IOVA_SQ, sq);
            map(cpu, IOVA_CQ, cq);
            map(cpu, IOVA_BUF, BUF);
            long base = MachineConfig.VTD_REGISTER_BASE;
            cpu.write64(base + RTADDR, ROOT);
            cpu.write32(base + GCMD, GCMD_SRTP);
            cpu.write32(base + GCMD, GCMD_TE);

            cpu.fill(NvmeRig.ACQ_BASE, 0x1000, (byte) 0);
            cpu.fill(cq, 0x1000, (byte) 0);
            rig.write(org.jdma.spec.nvme.NvmeRegisters.AQA, org.jdma.spec.nvme.NvmeRegisters.aqa(16, 16));
            rig.write64(org.jdma.spec.nvme.NvmeRegisters.ASQ, IOVA_ASQ);
            rig.write64(org.jdma.spec.nvme.NvmeRegisters.ACQ, IOVA_ACQ);
            rig.write(org.jdma.spec.nvme.NvmeRegisters.CC, org.jdma.spec.nvme.NvmeRegisters.ccEnable(0));
            rig.runIdle();
            NvmeRig.Pair admin = new NvmeRig.Pair(0, NvmeRig.ASQ_BASE, NvmeRig.ACQ_BASE, 16);
            rig.submit(admin, NvmeAdminTest.createCq(1, 16, IOVA_CQ, org.jdma.spec.nvme.NvmeCommands.createCqCdw11(1, true)));
            assertEquals(SUCCESS, rig.await(admin).status());
            rig.submit(admin, NvmeAdminTest.createSq(1, 16, IOVA_SQ, 1));
            assertEquals(SUCCESS, rig.await(admin).status());
            NvmeRig.Pair p = new NvmeRig.Pair(1, sq, cq, 16);

            byte[] data = NvmeDataPointerTest.pattern(4096, 11);
            cpu.write(BUF, data);
            rig.submit(p, rw(NVM_WRITE, 0, 8, IOVA_BUF, 0));
            assertEquals(SUCCESS, rig.await(p).status());
            long faults = rig.machine.remappingUnits().getFirst().faultsRecorded();
            rig.submit(p, rw(NVM_READ, 0, 8, IOVA_NONE, 0));
            NvmeRig.Cqe blocked = rig.await(p);
            assertEquals(DATA_TRANSFER_ERROR, blocked.status());
            assertTrue(blocked.dnr());
            assertTrue(rig.machine.remappingUnits().getFirst().faultsRecorded() > faults, "the unit recorded the fault");
            cpu.fill(BUF, 4096, (byte) 0);
            rig.submit(p, rw(NVM_READ, 0, 8, IOVA_BUF, 0));
            assertEquals(SUCCESS, rig.await(p).status(), "the next command on the same queue succeeds");
            byte[] got = new byte[4096];
            cpu.read(BUF, got);
            assertArrayEquals(data, got);
            assertEquals(0, rig.reg(org.jdma.spec.nvme.NvmeRegisters.CSTS) & org.jdma.spec.nvme.NvmeRegisters.CSTS_CFS);
            assertEquals(1, rig.nvme.dataTransferErrors());
            assertEquals(CompletionEntryLayout.SIZE, 16);
        }
    }
}
