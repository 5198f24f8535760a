package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.ERR_RXE;
import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.STAT_DD;
import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.STAT_EOP;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jdma.machine.net.FrameArrays;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.junit.jupiter.api.Test;

/** Receive: frames from the wire into the buffers of the descriptors software gave, and every way that can fail. */
class IxgbeReceiveTest {

    static final int ADV_2K = SRRCTL_DESCTYPE_ADV_ONEBUF | 2;
    static final int ADV_1K = SRRCTL_DESCTYPE_ADV_ONEBUF | 1;

    static IxgbeRig ready() {
        return new IxgbeRig().busMaster().linkUp();
    }

    @Test
    void shouldWriteAFrameIntoTheNextBufferThenWriteBackLengthDdAndEop() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            byte[] f = rig.toPort(60, 1);
            rig.far.transmit(f);
            rig.runIdle();
            assertArrayEquals(f, rig.rxData(0, 0, 60));
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 0));
            assertEquals(60, rig.rxLength(0, 0), "FCS excluded");
            assertEquals(1, rig.reg(rdh(0)));
            assertEquals(0, rig.rxStatus(0, 1), "the next descriptor is untouched");
            assertEquals(1, rig.reg(GPRC));
            assertEquals(64, rig.reg(GORCL), "octets count the FCS");
            assertEquals(1, rig.reg(qprc(0)));
            assertEquals(0, rig.reg(GPRC), "clear on read");
        }
    }

    @Test
    void shouldSpreadALargeFrameOverSeveralDescriptorsWithEopOnTheLast() {
        try (IxgbeRig rig = ready()) {
            rig.write(HLREG0, rig.reg(HLREG0) | HLREG0_JUMBOEN);
            rig.write(MAXFRS, 3004 << MAXFRS_MFS_SHIFT);
            rig.startRx(0, 8, ADV_1K, FCTRL_BAM);
            byte[] f = rig.toPort(3000, 2);
            rig.far.transmit(f);
            rig.runIdle();
            assertEquals(STAT_DD, rig.rxStatus(0, 0));
            assertEquals(STAT_DD, rig.rxStatus(0, 1));
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 2));
            assertEquals(1024, rig.rxLength(0, 0));
            assertEquals(1024, rig.rxLength(0, 1));
            assertEquals(952, rig.rxLength(0, 2));
            byte[] got = new byte[3000];
            System.arraycopy(rig.rxData(0, 0, 1024), 0, got, 0, 1024);
            System.arraycopy(rig.rxData(0, 1, 1024), 0, got, 1024, 1024);
            System.arraycopy(rig.rxData(0, 2, 952), 0, got, 2048, 952);
            assertArrayEquals(f, got);
            assertEquals(3, rig.reg(rdh(0)));
        }
    }

    @Test
    void shouldDropAndCountInQprdcWhenNoDescriptorIsFreeAndDropEnIsSet() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K | SRRCTL_DROP_EN, FCTRL_BAM);
            rig.cpu.fill(IxgbeRig.rxBuffer(0, 7), 64, (byte) 0x5A);
            for (int i = 0; i < 10; i++) {
                rig.far.transmit(rig.toPort(60, 10 + i));
            }
            rig.runIdle();
            assertEquals(7, rig.reg(rdh(0)), "RDH caught up with RDT = 7: seven frames landed");
            assertEquals(3, rig.reg(qprdc(0)), "three dropped for lack of descriptors");
            assertEquals(0, rig.rxStatus(0, 7), "the descriptor at RDT is the driver's");
            byte[] untouched = new byte[64];
            Arrays.fill(untouched, (byte) 0x5A);
            assertArrayEquals(untouched, rig.rxData(0, 7, 64), "its buffer is never written");
            assertEquals(10, rig.reg(GPRC), "good packets count before the descriptor check");
        }
    }

    @Test
    void shouldHoldFramesInThePacketBufferUntilTheTailMovesWithoutDropEn() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            for (int i = 0; i < 9; i++) {
                rig.far.transmit(rig.toPort(100, 20 + i));
            }
            rig.runIdle();
            assertEquals(2, rig.port.framesWaiting());
            assertEquals(2, rig.reg(rnbc(0)));
            for (int i = 0; i < 7; i++) {
                rig.giveRx(0, i);
            }
            rig.write(rdt(0), 3);
            rig.runIdle();
            assertEquals(0, rig.port.framesWaiting());
            assertEquals(1, rig.reg(rdh(0)), "descriptors 7 and 0 took the two waiting frames");
            assertArrayEquals(IxgbeRig.frame(rig.port.config().macBytes(), 0x0800, 100, 28), rig.rxData(0, 0, 100),
                    "in arrival order");
        }
    }

    @Test
    void shouldGiveAFrameBackToItsSenderOnlyOnceItLeftThePacketBuffer() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            FrameArrays arrays = new FrameArrays();
            byte[][] sent = new byte[9][];
            for (int i = 0; i < 9; i++) {
                sent[i] = arrays.take(100);
                System.arraycopy(rig.toPort(100, 40 + i), 0, sent[i], 0, 100);
                rig.far.transmit(sent[i], arrays);
            }
            rig.runIdle();
            assertEquals(2, rig.port.framesWaiting());
            byte[][] back = new byte[7][];
            for (int i = 0; i < 7; i++) {
                back[i] = arrays.take(100);
            }
            assertEquals(7, arrays.reused(), "the seven frames placed came back");
            assertEquals(9, arrays.made());
            byte[] fresh = arrays.take(100);
            assertEquals(10, arrays.made(), "nothing else came back: the two waiting frames are still the port's");
            for (int i = 0; i < 9; i++) {
                assertNotSame(sent[i], fresh);
            }
            for (int i = 0; i < 7; i++) {
                rig.giveRx(0, i);
            }
            rig.write(rdt(0), 3);
            rig.runIdle();
            assertEquals(0, rig.port.framesWaiting());
            assertArrayEquals(rig.toPort(100, 48), rig.rxData(0, 0, 100), "placed whole before its array went back");
            assertSame(sent[8], arrays.take(100), "placed: the last waiting frame came back");
            assertSame(sent[7], arrays.take(100));
        }
    }

    @Test
    void shouldCountMissedPacketsWhenThePacketBufferIsFull() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            rig.write(rxpbsize(0), 2 << 10);  // 2 KB: one 1518-byte frame waits, the next is missed
            for (int i = 0; i < 9; i++) {
                rig.far.transmit(rig.toPort(1514, 30 + i));
            }
            rig.runIdle();
            assertEquals(1, rig.port.framesWaiting());
            assertEquals(1, rig.reg(mpc(0)));
            assertEquals(EICR_RX_MISS | EICR_OTHER, rig.reg(EICR) & (EICR_RX_MISS | EICR_OTHER));
        }
    }

    @Test
    void shouldFilterByReceiveAddressUnlessPromiscuous() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, 0);
            byte[] stranger = IxgbeRig.frame(new byte[] {0x02, 9, 9, 9, 9, 9}, 0x0800, 60, 3);
            byte[] broadcast = IxgbeRig.frame(new byte[] {-1, -1, -1, -1, -1, -1}, 0x0806, 60, 4);
            rig.far.transmit(stranger);
            rig.far.transmit(broadcast);
            rig.far.transmit(rig.toPort(60, 5));
            rig.runIdle();
            assertEquals(1, rig.reg(rdh(0)), "only the frame to RAL[0]/RAH[0]");
            assertEquals(2, rig.port.faults().filteredFrames());
            rig.write(FCTRL, FCTRL_UPE | FCTRL_BAM);
            rig.far.transmit(stranger);
            rig.far.transmit(broadcast);
            rig.runIdle();
            assertEquals(3, rig.reg(rdh(0)));
            assertEquals(1, rig.reg(BPRC));
            assertEquals(5, rig.reg(TPR), "total packets count everything the MAC saw, filtered or not");
        }
    }

    @Test
    void shouldSteerByEtherTypeFilterAndSayWhichInThePacketType() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            rig.startRx(2, 8, ADV_2K, FCTRL_BAM);
            rig.write(etqf(3), ETQF_FILTER_EN | 0x88F7);
            rig.write(etqs(3), ETQS_QUEUE_EN | 2 << ETQS_RX_QUEUE_SHIFT);
            rig.far.transmit(IxgbeRig.frame(rig.port.config().macBytes(), 0x88F7, 90, 6));
            rig.far.transmit(rig.toPort(60, 7));
            rig.runIdle();
            assertEquals(1, rig.reg(rdh(2)));
            assertEquals(1, rig.reg(rdh(0)));
            assertEquals(AdvancedRxDescriptorLayout.etqfPacketInfo(3),
                    rig.cpu.read32(IxgbeRig.rxRing(2) + AdvancedRxDescriptorLayout.PKT_INFO));
            assertEquals(1, rig.reg(qprc(2)));
        }
    }

    @Test
    void shouldDropGarbageRingsWithoutTouchingMemory() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            rig.write(rdh(0), 100);   // beyond an 8-descriptor ring
            rig.far.transmit(rig.toPort(60, 8));
            rig.runIdle();
            assertEquals(1, rig.port.faults().ringErrors());
            rig.write(rdh(0), 0);
            rig.write(rdlen(0), 100);  // not a multiple of 128: the low bits do not exist
            assertEquals(0, rig.reg(rdlen(0)));
            rig.far.transmit(rig.toPort(60, 9));
            rig.runIdle();
            assertEquals(2, rig.port.faults().ringErrors(), "a ring of length 0");
            rig.write(rdlen(0), 8 * 16);
            rig.write(srrctl(0), SRRCTL_DESCTYPE_ADV_ONEBUF);  // BSIZEPKT 0
            rig.far.transmit(rig.toPort(60, 10));
            rig.runIdle();
            assertEquals(3, rig.port.faults().ringErrors());
            assertEquals(0, rig.rxStatus(0, 0), "nothing was written back");
            assertEquals(0, rig.port.framesReceived());
            rig.write(srrctl(0), ADV_2K);
            rig.far.transmit(rig.toPort(60, 11));
            rig.runIdle();
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 0), "and the port keeps working");
        }
    }

    @Test
    void shouldDropUndersizeAndOversizeFramesAndCountThem() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            rig.far.transmit(rig.toPort(40, 12));
            rig.far.transmit(rig.toPort(1600, 13));
            rig.runIdle();
            assertEquals(1, rig.reg(RUC));
            assertEquals(1, rig.reg(ROC), "1600 bytes without JUMBOEN");
            assertEquals(0, rig.reg(rdh(0)));
        }
    }

    @Test
    void shouldNotReceiveWhileReceiveIsDisabled() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            rig.write(RXCTRL, 0);
            rig.far.transmit(rig.toPort(60, 14));
            rig.runIdle();
            assertEquals(0, rig.reg(rdh(0)));
            assertEquals(1, rig.port.faults().disabledDrops());
            assertTrue(rig.port.faults().ringErrors() == 0);
        }
    }

    @Test
    void shouldMarkTheFrameWithRxeWhenItsBufferCannotBeWritten() {
        try (IxgbeRig rig = ready()) {
            rig.startRx(0, 8, ADV_2K, FCTRL_BAM);
            rig.cpu.write64(IxgbeRig.rxRing(0), 0xF000_0000L);  // no RAM there
            rig.far.transmit(rig.toPort(60, 15));
            rig.far.transmit(rig.toPort(60, 16));
            rig.runIdle();
            assertEquals(STAT_DD | STAT_EOP | ERR_RXE, rig.rxStatus(0, 0));
            assertEquals(1, rig.port.faults().bufferFaults());
            assertEquals(EICR_PCI, rig.reg(EICR) & EICR_PCI);
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 1), "the next frame lands normally");
        }
    }
}
