package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_EOP;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_IFCS;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_RS;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.spec.ixgbe.IvarLayout;
import org.junit.jupiter.api.Test;

/** Interrupts: IVAR routes each queue to its MSI-X vector, EITR spaces them, auto-clear and auto-mask behave as the datasheet says. */
class IxgbeInterruptTest {

    static IxgbeRig ready(int vectors) {
        IxgbeRig rig = new IxgbeRig().busMaster().msix(vectors).linkUp();
        rig.reg(EICR);   // the link-up LSC, read to clear
        rig.interrupts.clear();
        return rig;
    }

    static void sendOne(IxgbeRig rig, int q, int slot) {
        rig.putTx(q, slot, IxgbeRig.frame(IxgbeRig.PEER_MAC, 0x0800, 60, slot), DCMD_IFCS | DCMD_EOP | DCMD_RS, 60);
        rig.write(tdt(q), slot + 1);
    }

    @Test
    void shouldRouteEachQueuesCauseToTheVectorItsIvarEntryNames() {
        try (IxgbeRig rig = ready(5)) {
            rig.routeQueuesToVectors(4, 4);
            for (int q = 0; q < 4; q++) {
                rig.startTx(q, 16);
            }
            sendOne(rig, 2, 0);
            rig.runIdle();
            assertEquals(List.of(2), rig.interrupts.stream().map(IxgbeRig.Irq::entry).toList(), "TX queue 2 -> vector 2");
            rig.interrupts.clear();
            rig.startRx(1, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM);
            rig.write(etqf(0), ETQF_FILTER_EN | 0x9000);
            rig.write(etqs(0), ETQS_QUEUE_EN | 1 << ETQS_RX_QUEUE_SHIFT);
            rig.far.transmit(IxgbeRig.frame(rig.port.config().macBytes(), 0x9000, 60, 1));
            rig.runIdle();
            assertEquals(List.of(1), rig.interrupts.stream().map(IxgbeRig.Irq::entry).toList(), "RX queue 1 -> vector 1");
            assertEquals(0, rig.reg(EICR) & 0xFFFF, "EIAC cleared the vector causes when the messages were sent");
        }
    }

    @Test
    void shouldRaiseNothingForAQueueWhoseEntryIsNotValid() {
        try (IxgbeRig rig = ready(4)) {
            rig.routeQueuesToVectors(4, 3);
            rig.write(ivar(0), rig.reg(ivar(0)) & ~(IvarLayout.INT_ALLOC_VAL << IvarLayout.shiftOf(0, true)));
            rig.startTx(0, 16);
            sendOne(rig, 0, 0);
            rig.runIdle();
            assertEquals(List.of(), rig.interrupts);
        }
    }

    @Test
    void shouldSendLinkStatusChangesOnTheOtherCausesVector() {
        try (IxgbeRig rig = new IxgbeRig().busMaster().msix(6)) {
            rig.routeQueuesToVectors(4, 5);
            rig.linkUp();
            rig.runIdle();
            assertEquals(List.of(5), rig.interrupts.stream().map(IxgbeRig.Irq::entry).toList());
            assertEquals(EICR_LSC | EICR_OTHER, rig.reg(EICR), "other causes stay until read or written");
        }
    }

    @Test
    void shouldSpaceAVectorsInterruptsByItsEitrInterval() {
        try (IxgbeRig rig = ready(4)) {
            rig.routeQueuesToVectors(4, 3);
            rig.write(eitr(0), 0x028);   // 10 us
            rig.startRx(0, 64, IxgbeReceiveTest.ADV_2K, FCTRL_BAM);
            for (int i = 0; i < 40; i++) {
                rig.far.transmit(rig.toPort(60, 100 + i));   // 68 ns apart: 40 frames in 2.7 us
            }
            rig.runIdle();
            List<IxgbeRig.Irq> irqs = rig.interruptsOf(0);
            assertEquals(2, irqs.size(), "one at the first frame, one held until the interval ended: " + irqs);
            assertTrue(irqs.get(1).timeNs() - irqs.get(0).timeNs() >= 10_000, irqs.toString());
            assertEquals(40, rig.reg(qprc(0)));
            rig.interrupts.clear();
            rig.write(eitr(0), 0);
            for (int i = 0; i < 5; i++) {
                rig.far.transmit(rig.toPort(60, 200 + i));
            }
            rig.runIdle();
            assertEquals(5, rig.interruptsOf(0).size(), "no moderation: one per frame");
        }
    }

    @Test
    void shouldSpaceInterruptsExactlyByTheProgrammedStepsOf2048Ns() {
        try (IxgbeRig rig = ready(4)) {
            rig.routeQueuesToVectors(4, 3);
            rig.write(eitr(0), 0x008 | EITR_CNT_WDIS);   // one step of the interval field
            rig.startRx(0, 64, IxgbeReceiveTest.ADV_2K, FCTRL_BAM);
            for (int i = 0; i < 60; i++) {
                rig.far.transmit(rig.toPort(60, 400 + i));   // 60 frames over about 4 us: causes keep coming
            }
            rig.runIdle();
            List<IxgbeRig.Irq> irqs = rig.interruptsOf(0);
            assertEquals(3, irqs.size(), "one per 2.048 us step while frames arrive: " + irqs);
            for (int i = 1; i < irqs.size(); i++) {
                assertEquals(2_048, irqs.get(i).timeNs() - irqs.get(i - 1).timeNs(), irqs.toString());
            }
        }
    }

    @Test
    void shouldAutoMaskAVectorWhenItsMessageIsSentWithEiame() {
        try (IxgbeRig rig = ready(4)) {
            rig.routeQueuesToVectors(4, 3);
            rig.write(GPIE, rig.reg(GPIE) | GPIE_EIAME);
            rig.write(EIAM, 0x1);
            rig.startRx(0, 64, IxgbeReceiveTest.ADV_2K, FCTRL_BAM);
            for (int i = 0; i < 3; i++) {
                rig.far.transmit(rig.toPort(60, 300 + i));
            }
            rig.runIdle();
            assertEquals(1, rig.interruptsOf(0).size(), "masked after the first: NAPI polls the rest");
            assertEquals(0, rig.reg(EIMS) & 1);
            rig.far.transmit(rig.toPort(60, 303));
            rig.runIdle();
            assertEquals(1, rig.interruptsOf(0).size());
            rig.write(EIMS, 1);   // the poll is done: re-arm, the pending cause fires
            rig.runIdle();
            assertEquals(2, rig.interruptsOf(0).size());
        }
    }

    @Test
    void shouldSignalPendingCausesWhenEimsIsSetAndAfterEics() {
        try (IxgbeRig rig = ready(4)) {
            rig.write(GPIE, GPIE_MSIX_MODE);
            rig.write(EICS, 0x4);
            rig.runIdle();
            assertEquals(List.of(), rig.interrupts, "masked");
            rig.write(EIMS, 0x4);
            rig.runIdle();
            assertEquals(List.of(2), rig.interrupts.stream().map(IxgbeRig.Irq::entry).toList());
            assertEquals(0x4, rig.reg(EICR) & 0xFFFF, "no EIAC: the cause stays");
        }
    }
}
