package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.*;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The card's RSS and its frame-size limit: registers in, queue and write-back out. */
class IxgbeRssTest {

    /** Microsoft's verification key (RSS hash verification suite). */
    static final byte[] KEY = HexFormat.of().parseHex(
            "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    /** The suite's first IPv4 example as a TCP frame to the port: 66.9.149.187:2794 to 161.142.100.80:1766. */
    static byte[] tcpFrame(IxgbeRig rig) {
        byte[] f = rig.toPort(60, 1);
        f[14] = 0x45;
        f[20] = 0;
        f[21] = 0;
        f[23] = 6;
        byte[] addresses = {66, 9, (byte) 149, (byte) 187, (byte) 161, (byte) 142, 100, 80};
        System.arraycopy(addresses, 0, f, 26, 8);
        byte[] ports = {(byte) (2794 >>> 8), (byte) 2794, (byte) (1766 >>> 8), (byte) 1766};
        System.arraycopy(ports, 0, f, 34, 4);
        return f;
    }

    private static void program(IxgbeRig rig, int mrqc, int pcsd) {
        for (int n = 0; n < RSSRK_REGISTERS; n++) {
            rig.write(rssrk(n), (KEY[4 * n] & 0xFF) | (KEY[4 * n + 1] & 0xFF) << 8 | (KEY[4 * n + 2] & 0xFF) << 16
                    | (KEY[4 * n + 3] & 0xFF) << 24);
        }
        for (int n = 0; n < RETA_REGISTERS; n++) {
            rig.write(reta(n), 0x01010101 * (n == 0x78 / 4 ? 2 : 3) & RETA_MASK); // entries 120..123 to queue 2, the rest 3
        }
        rig.write(RXCSUM, pcsd);
        rig.write(MRQC, mrqc);
    }

    private static long descriptor(int q, int i) {
        return IxgbeRig.rxRing(q) + (long) i * SIZE;
    }

    @Test
    void shouldSendAFlowToTheQueueOfItsRetaEntryAndWriteBackHashAndType() {
        try (IxgbeRig rig = IxgbeReceiveTest.ready()) {
            program(rig, MRQC_RSSEN | MRQC_RSS_FIELD_IPV4_TCP | MRQC_RSS_FIELD_IPV4, RXCSUM_PCSD);
            rig.startRx(2, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM | FCTRL_UPE);
            rig.startRx(3, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM | FCTRL_UPE);
            rig.far.transmit(tcpFrame(rig));
            rig.runIdle();
            // hash 0x51ccc178: RETA index 0x78 = 120, which holds queue 2
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(2, 0));
            assertEquals(0, rig.rxStatus(3, 0));
            assertEquals(0x51ccc178, rig.cpu.read32(descriptor(2, 0) + RSS_HASH));
            assertEquals(RSSTYPE_IPV4_TCP | PKTTYPE_IPV4 | PKTTYPE_TCP, rig.cpu.read32(descriptor(2, 0) + PKT_INFO));
        }
    }

    @Test
    void shouldHashOnlyTheEnabledFieldsAndLeaveTheHashOutWithoutPcsd() {
        try (IxgbeRig rig = IxgbeReceiveTest.ready()) {
            program(rig, MRQC_RSSEN | MRQC_RSS_FIELD_IPV4, 0);
            rig.startRx(3, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM | FCTRL_UPE);
            rig.far.transmit(tcpFrame(rig));
            rig.runIdle();
            // IPv4 only: 0x323e8fc2, index 0x42 holds queue 3
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(3, 0));
            assertEquals(RSSTYPE_IPV4 | PKTTYPE_IPV4 | PKTTYPE_TCP, rig.cpu.read32(descriptor(3, 0) + PKT_INFO));
            assertEquals(0, rig.cpu.read32(descriptor(3, 0) + RSS_HASH), "RXCSUM.PCSD clear: no hash in dword 1");
        }
    }

    @Test
    void shouldSendEverythingToQueueZeroWithRssOff() {
        try (IxgbeRig rig = IxgbeReceiveTest.ready()) {
            program(rig, 0, RXCSUM_PCSD);
            rig.startRx(0, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM | FCTRL_UPE);
            rig.far.transmit(tcpFrame(rig));
            rig.runIdle();
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 0));
            assertEquals(PKTTYPE_IPV4 | PKTTYPE_TCP, rig.cpu.read32(descriptor(0, 0) + PKT_INFO), "packet type, no RSS type");
        }
    }

    @Test
    void shouldDropFramesLongerThanMaxfrsWithJumboOnAndCountThemInRoc() {
        try (IxgbeRig rig = IxgbeReceiveTest.ready()) {
            assertEquals(1518 << MAXFRS_MFS_SHIFT, rig.reg(MAXFRS), "reset value: a standard frame");
            rig.write(HLREG0, rig.reg(HLREG0) | HLREG0_JUMBOEN);
            rig.write(MAXFRS, 9018 << MAXFRS_MFS_SHIFT);
            rig.startRx(0, 8, IxgbeReceiveTest.ADV_2K, FCTRL_BAM);
            rig.far.transmit(rig.toPort(9015, 3));
            rig.far.transmit(rig.toPort(9014, 4));
            rig.runIdle();
            assertEquals(1, rig.reg(ROC), "9015 + FCS is longer than MFS 9018");
            assertEquals(5, rig.reg(rdh(0)), "9014 bytes in five 2 KB buffers");
            assertEquals(STAT_DD | STAT_EOP, rig.rxStatus(0, 4));
            assertEquals(9014 - 4 * 2048, rig.rxLength(0, 4));
        }
    }
}
