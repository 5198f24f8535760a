package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.pci.PciConfigLayout;
import org.junit.jupiter.api.Test;

/** BAR0 against the datasheet, and the enable, disable and shutdown handshakes in modeled time. */
class NvmeRegistersTest {

    @Test
    void shouldIdentifyAsAnNvmeControllerWithTheCapabilitiesOfItsConfig() {
        try (NvmeRig rig = new NvmeRig(NvmeConfig.DEFAULT.withDoorbellStride(2))) {
            assertEquals(CLASS_CODE, rig.cpu.read32(rig.cfg + PciConfigLayout.REVISION_ID) >>> 8);
            long cap = rig.reg64(CAP);
            assertEquals(1023, capMqes(cap));
            assertEquals(20, capTimeout(cap));
            assertEquals(2, capDstrd(cap));
            assertTrue((cap & CAP_CQR) != 0, "contiguous queues required");
            assertTrue((cap & CAP_CSS_NVM) != 0);
            assertEquals(0, capMpsMin(cap));
            assertEquals(VS_1_4, rig.reg(VS));
            assertEquals(0, rig.reg(CSTS));
        }
    }

    @Test
    void shouldSetReadyOnlyAfterTheModeledEnableDelayWithinCapTimeout() {
        try (NvmeRig rig = new NvmeRig().busMaster()) {
            rig.write(AQA, aqa(32, 32));
            rig.write64(ASQ, NvmeRig.ASQ_BASE);
            rig.write64(ACQ, NvmeRig.ACQ_BASE);
            long t0 = rig.now();
            rig.write(CC, ccEnable(0));
            assertEquals(0, rig.reg(CSTS) & CSTS_RDY, "not ready at once");
            rig.machine.eventKernel().runUntil(() -> (rig.reg(CSTS) & CSTS_RDY) != 0, t0 + 1_000_000_000L);
            long readyAt = rig.now();
            assertTrue(readyAt >= t0 + NvmeConfig.DEFAULT.enableNs(), "ready at " + readyAt);
            assertTrue(readyAt <= t0 + NvmeConfig.DEFAULT.enableNs() + 10_000, "ready at " + readyAt);
            assertEquals(CSTS_RDY, rig.reg(CSTS));
            assertTrue(NvmeConfig.DEFAULT.enableNs() <= capTimeout(rig.reg64(CAP)) * CAP_TO_UNIT_MS * 1_000_000);
            rig.write(CC, 0);
            assertEquals(CSTS_RDY, rig.reg(CSTS) & CSTS_RDY, "RDY follows EN after the delay");
            rig.runFor(NvmeConfig.DEFAULT.enableNs());
            assertEquals(0, rig.reg(CSTS));
        }
    }

    @Test
    void shouldSetFatalStatusForAnAdminQueueThatIsNotPageAligned() {
        try (NvmeRig rig = new NvmeRig().busMaster()) {
            rig.write(AQA, aqa(32, 32));
            rig.write64(ASQ, NvmeRig.ASQ_BASE);
            rig.write64(ACQ, 0); // no completion queue
            rig.write(CC, ccEnable(0));
            rig.runIdle();
            assertEquals(CSTS_CFS, rig.reg(CSTS));
            rig.write(CC, 0); // a reset clears it
            rig.runIdle();
            assertEquals(0, rig.reg(CSTS));
            rig.enable();
        }
    }

    @Test
    void shouldRefuseEntrySizesAndPageSizesOutsideTheCapabilities() {
        try (NvmeRig rig = new NvmeRig().busMaster()) {
            rig.write(AQA, aqa(32, 32));
            rig.write64(ASQ, NvmeRig.ASQ_BASE);
            rig.write64(ACQ, NvmeRig.ACQ_BASE);
            rig.write(CC, ccEnable(0) & ~CC_IOSQES_MASK | 5 << CC_IOSQES_SHIFT);
            rig.runIdle();
            assertEquals(CSTS_CFS, rig.reg(CSTS) & CSTS_CFS, "IOSQES 5");
            rig.write(CC, 0);
            rig.runIdle();
            rig.write(CC, ccEnable(5));
            rig.runIdle();
            assertEquals(CSTS_CFS, rig.reg(CSTS) & CSTS_CFS, "MPS 5 above MPSMAX 4");
        }
    }

    @Test
    void shouldReportShutdownInProgressThenCompleteAndStopProcessing() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(1).enable()) {
            rig.write(CC, rig.reg(CC) | CC_SHN_NORMAL);
            assertEquals(CSTS_SHST_OCCURRING, rig.reg(CSTS) & CSTS_SHST_MASK);
            rig.runFor(NvmeConfig.DEFAULT.shutdownNs());
            assertEquals(CSTS_SHST_COMPLETE, rig.reg(CSTS) & CSTS_SHST_MASK);
            long fetched = rig.nvme.commandsFetched();
            rig.submit(rig.admin, NvmeRig.sqe(NvmeCommands.ADMIN_IDENTIFY).cdw(10, NvmeCommands.CNS_CONTROLLER));
            rig.runIdle();
            assertEquals(fetched, rig.nvme.commandsFetched(), "a shut-down controller fetches nothing");
            rig.write(CC, 0);
            rig.runIdle();
            rig.admin.sqTail = 0;
            rig.admin.cqHead = 0;
            rig.admin.phase = 1;
            rig.enable();
            NvmeRig.Cqe c = rig.admin(NvmeRig.sqe(NvmeCommands.ADMIN_IDENTIFY).cdw(10, NvmeCommands.CNS_CONTROLLER)
                    .prp1(NvmeRig.DATA));
            assertEquals(NvmeStatus.SUCCESS, c.status(), "usable again after EN 0 -> 1");
        }
    }

    @Test
    void shouldKeepTheInterruptMaskThatIntmsSetsAndIntmcClears() {
        try (NvmeRig rig = new NvmeRig()) {
            rig.write(INTMS, 0b101);
            assertEquals(0b101, rig.reg(INTMS));
            rig.write(INTMC, 0b001);
            assertEquals(0b100, rig.reg(INTMC));
            assertEquals(0b100, rig.reg(INTMS));
        }
    }
}
