package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_EOP;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_IFCS;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.DCMD_RS;
import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.STA_DD;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout;
import org.junit.jupiter.api.Test;

/** Transmit: frames gathered from descriptors, sent at the link's pace, descriptors written back where RS asks. */
class IxgbeTransmitTest {

    static IxgbeRig ready() {
        IxgbeRig rig = new IxgbeRig().busMaster().linkUp();
        rig.startTx(0, 16);
        return rig;
    }

    static byte[] frame(int length, long seed) {
        return IxgbeRig.frame(IxgbeRig.PEER_MAC, 0x0800, length, seed);
    }

    @Test
    void shouldGatherOneFrameFromSeveralDescriptors() {
        try (IxgbeRig rig = ready()) {
            byte[] f = frame(1000, 1);
            rig.putTx(0, 0, Arrays.copyOfRange(f, 0, 14), DCMD_IFCS, f.length);
            rig.putTx(0, 1, Arrays.copyOfRange(f, 14, 500), DCMD_IFCS, 0);
            rig.putTx(0, 2, Arrays.copyOfRange(f, 500, 1000), DCMD_IFCS | DCMD_EOP | DCMD_RS, 0);
            rig.write(tdt(0), 3);
            rig.runIdle();
            assertEquals(1, rig.far.received.size());
            assertArrayEquals(f, rig.far.received.getFirst());
            assertEquals(3, rig.reg(tdh(0)));
            assertEquals(1, rig.reg(GPTC));
            assertEquals(1004, rig.reg(GOTCL));
            assertEquals(1, rig.reg(qptc(0)));
        }
    }

    @Test
    void shouldWriteBackDdOnlyWhereRsIsSet() {
        try (IxgbeRig rig = ready()) {
            for (int i = 0; i < 4; i++) {
                rig.putTx(0, i, frame(60, 10 + i), DCMD_IFCS | DCMD_EOP | (i % 2 == 1 ? DCMD_RS : 0), 60);
            }
            rig.write(tdt(0), 4);
            rig.runIdle();
            assertEquals(4, rig.far.received.size());
            for (int i = 0; i < 4; i++) {
                int sta = rig.txStatus(0, i) & AdvancedTxDescriptorLayout.STA_MASK;
                assertEquals(i % 2 == 1 ? STA_DD : 0, sta, "descriptor " + i);
            }
            assertEquals(60 << AdvancedTxDescriptorLayout.PAYLEN_SHIFT, rig.txStatus(0, 0), "no RS: untouched");
        }
    }

    @Test
    void shouldSendAtLineRate() {
        try (IxgbeRig rig = ready()) {
            for (int i = 0; i < 10; i++) {
                rig.putTx(0, i, frame(60, 20 + i), DCMD_IFCS | DCMD_EOP, 60);
            }
            rig.write(tdt(0), 10);
            rig.runIdle();
            var sent = rig.cable.a.sent;
            assertEquals(10, sent.size());
            long gap = rig.cable.wireNs(60);
            assertEquals(68, gap, "84 byte times at 10 Gb/s, rounded up");
            for (int i = 1; i < sent.size(); i++) {
                assertEquals(gap, sent.get(i).arrivalNs() - sent.get(i - 1).arrivalNs(), "back to back on the wire");
            }
        }
    }

    @Test
    void shouldPadShortFramesWithTxpaden() {
        try (IxgbeRig rig = ready()) {
            rig.putTx(0, 0, frame(42, 3), DCMD_IFCS | DCMD_EOP, 42);
            rig.write(tdt(0), 1);
            rig.runIdle();
            byte[] got = rig.far.received.getFirst();
            assertEquals(60, got.length);
            assertArrayEquals(frame(42, 3), Arrays.copyOf(got, 42));
            assertArrayEquals(new byte[18], Arrays.copyOfRange(got, 42, 60));
        }
    }

    @Test
    void shouldPadAShortFrameWithZerosInAnArrayAnEarlierFrameUsed() {
        try (IxgbeRig rig = ready()) {
            byte[] full = frame(60, 8);
            rig.putTx(0, 0, full, DCMD_IFCS | DCMD_EOP, 60);
            rig.write(tdt(0), 1);
            rig.runIdle();
            rig.putTx(0, 1, frame(42, 9), DCMD_IFCS | DCMD_EOP, 42);
            rig.write(tdt(0), 2);
            rig.runIdle();
            var arrays = rig.cable.a.sentArrays;
            assertSame(arrays.get(0), arrays.get(1), "the far end gave the first frame's array back, and the port reused it");
            assertArrayEquals(full, rig.far.received.get(0));
            byte[] got = rig.far.received.get(1);
            assertArrayEquals(frame(42, 9), Arrays.copyOf(got, 42));
            assertArrayEquals(new byte[18], Arrays.copyOfRange(got, 42, 60), "not the first frame's bytes");
        }
    }

    @Test
    void shouldWaitForEopAcrossTailWrites() {
        try (IxgbeRig rig = ready()) {
            byte[] f = frame(200, 4);
            rig.putTx(0, 0, Arrays.copyOfRange(f, 0, 100), DCMD_IFCS, 200);
            rig.write(tdt(0), 1);
            rig.runIdle();
            assertEquals(0, rig.far.received.size());
            assertEquals(1, rig.reg(tdh(0)));
            rig.putTx(0, 1, Arrays.copyOfRange(f, 100, 200), DCMD_IFCS | DCMD_EOP, 0);
            rig.write(tdt(0), 2);
            rig.runIdle();
            assertArrayEquals(f, rig.far.received.getFirst());
        }
    }

    @Test
    void shouldDropFramesWithMalformedDescriptorsAndKeepGoing() {
        try (IxgbeRig rig = ready()) {
            rig.putTx(0, 0, frame(60, 5), DCMD_IFCS | DCMD_EOP, 60);
            long d = IxgbeRig.txRing(0) + AdvancedTxDescriptorLayout.CMD_TYPE_LEN;
            rig.cpu.write32(d, 0x0B000000 | 60);   // DEXT clear: a legacy descriptor, not modelled
            rig.putTx(0, 1, new byte[10], DCMD_IFCS | DCMD_EOP, 10);   // shorter than a header
            rig.putTx(0, 2, frame(60, 7), DCMD_IFCS | DCMD_EOP | DCMD_RS, 60);
            rig.write(tdt(0), 3);
            rig.runIdle();
            assertEquals(1, rig.far.received.size());
            assertArrayEquals(frame(60, 7), rig.far.received.getFirst());
            assertEquals(1, rig.port.faults().malformedDescriptors());
            assertEquals(1, rig.port.faults().droppedTransmits(), "the short one; the legacy one had no data EOP");
            assertEquals(3, rig.reg(tdh(0)));
        }
    }

    @Test
    void shouldNotTouchARingWhoseTailIsBeyondIt() {
        try (IxgbeRig rig = ready()) {
            rig.write(tdt(0), 500);
            rig.runIdle();
            assertEquals(1, rig.port.faults().ringErrors());
            assertEquals(0, rig.reg(tdh(0)));
            rig.putTx(0, 0, frame(60, 8), DCMD_IFCS | DCMD_EOP, 60);
            rig.write(tdt(0), 1);
            rig.runIdle();
            assertEquals(1, rig.far.received.size(), "and works again once it is sane");
        }
    }

    @Test
    void shouldHoldFramesWhileTheLinkIsDownAndSendThemWhenItComesUp() {
        try (IxgbeRig rig = new IxgbeRig().busMaster()) {
            rig.startTx(0, 16);
            rig.putTx(0, 0, frame(60, 9), DCMD_IFCS | DCMD_EOP, 60);
            rig.write(tdt(0), 1);
            assertEquals(0, rig.far.received.size());
            rig.linkUp();
            rig.runIdle();
            assertEquals(1, rig.far.received.size());
        }
    }
}
