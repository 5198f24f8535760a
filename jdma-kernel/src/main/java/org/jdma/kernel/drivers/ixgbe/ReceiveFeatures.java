package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import org.jdma.kernel.driver.MmioWindow;

/** The receive set-up beyond ixy's: the frame-size limit (jumbo frames) and RSS. */
final class ReceiveFeatures {

    private ReceiveFeatures() { }

    /**
     * Jumbo frames (Linux {@code ixgbe_set_rx_buffer_len}): above a 1500-byte MTU, MAXFRS.MFS =
     * MTU + header + FCS and HLREG0.JUMBOEN; the buffers stay 2 KB, so such a frame spans several.
     */
    static void frameSize(MmioWindow registers, IxgbeOptions options) {
        int hlreg0 = registers.read32(HLREG0);
        if (options.mtu() > IxgbeOptions.STANDARD_MTU) {
            registers.write32(MAXFRS, options.maxFrameSize() << MAXFRS_MFS_SHIFT);
            registers.write32(HLREG0, hlreg0 | HLREG0_JUMBOEN);
        } else {
            registers.write32(MAXFRS, MAXFRS_RESET);
            registers.write32(HLREG0, hlreg0 & ~HLREG0_JUMBOEN);
        }
    }

    /** MRQC fields the driver hashes: every IPv4 and IPv6 type with and without TCP and UDP ports. */
    static final int RSS_FIELDS = MRQC_RSSEN | MRQC_RSS_FIELDS;

    /**
     * RSS (Linux {@code ixgbe_setup_mrqc}): the key into RSSRK, RETA spread round-robin over the
     * queue pairs, every IPv4/IPv6 TCP/UDP field set on, and RXCSUM.PCSD so descriptors carry the hash.
     */
    static void rss(MmioWindow registers, IxgbeOptions options, int queues) {
        byte[] key = options.rssKey();
        for (int n = 0; n < RSSRK_REGISTERS; n++) {
            registers.write32(rssrk(n), (key[4 * n] & 0xFF) | (key[4 * n + 1] & 0xFF) << 8 | (key[4 * n + 2] & 0xFF) << 16
                    | (key[4 * n + 3] & 0xFF) << 24);
        }
        for (int n = 0; n < RETA_REGISTERS; n++) {
            int value = 0;
            for (int k = 0; k < 4; k++) {
                value |= ((4 * n + k) % queues) << (8 * k);
            }
            registers.write32(reta(n), value);
        }
        registers.write32(RXCSUM, registers.read32(RXCSUM) | RXCSUM_PCSD);
        registers.write32(MRQC, RSS_FIELDS);
    }

}
