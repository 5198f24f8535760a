package org.jdma.spec.ixgbe;

/**
 * The advanced receive descriptor, one buffer (SRRCTL.DESCTYPE = 001b), 16 bytes little-endian
 * (82599 datasheet §7.1.6; {@code union ixgbe_adv_rx_desc}).
 *
 * <p>Read format, written by software:
 * <pre>
 * byte 0x00 | Packet Buffer Address (64)                                  |
 *      0x08 | Header Buffer Address (64); bit 0 is where DD lands: write 0 |
 * </pre>
 *
 * <p>Write-back format, written by the controller after the frame's data:
 * <pre>
 * byte 0x00 | RSS type [3:0] | Packet Type [16:4] | RSC cnt [20:17] | HDR_LEN [30:21] | SPH [31] |
 *      0x04 | RSS hash, or IP id [15:0] and fragment checksum [31:16]                      |
 *      0x08 | Extended Status [19:0]: [0] DD [1] EOP ...  | Extended Error [31:20]: [29] RXE ... |
 *      0x0C | PKT_LEN [15:0]: bytes in this buffer      | VLAN tag [31:16]                   |
 * </pre>
 *
 * A frame larger than one buffer takes several descriptors; each gets DD and its own PKT_LEN, and
 * only the last gets EOP (and the errors). Packet Type bit 15 set means bits 6:4 hold the index of
 * the EtherType filter (ETQF) the frame matched.
 */
public final class AdvancedRxDescriptorLayout {

    private AdvancedRxDescriptorLayout() { }

    public static final int SIZE = 16;

    // read format
    public static final int PKT_ADDR = 0x00;
    public static final int HDR_ADDR = 0x08;

    // write-back format
    /** Dword 0: RSS type, packet type, RSC count, header length, SPH. */
    public static final int PKT_INFO = 0x00;
    public static final int RSS_HASH = 0x04;
    /** Dword 2: extended status [19:0] and extended errors [31:20]. */
    public static final int STATUS_ERROR = 0x08;
    /** 16 bits: bytes written to this descriptor's buffer. */
    public static final int LENGTH = 0x0C;
    /** 16 bits: the stripped VLAN tag (valid with STAT_VP). */
    public static final int VLAN = 0x0E;

    public static final int RSSTYPE_MASK = 0x0000000F;
    /** RSS types (bits 3:0 of dword 0): which fields the hash in dword 1 covers ({@link RssHash}). */
    public static final int RSSTYPE_NONE = 0;
    public static final int RSSTYPE_IPV4_TCP = 1;
    public static final int RSSTYPE_IPV4 = 2;
    public static final int RSSTYPE_IPV6_TCP = 3;
    public static final int RSSTYPE_IPV6 = 5;
    public static final int RSSTYPE_IPV4_UDP = 7;
    public static final int RSSTYPE_IPV6_UDP = 8;
    public static final int PKTTYPE_SHIFT = 4;
    public static final int PKTTYPE_MASK = 0x0001FFF0;
    public static final int PKTTYPE_IPV4 = 0x0010;
    public static final int PKTTYPE_IPV6 = 0x0040;
    public static final int PKTTYPE_TCP = 0x0100;
    public static final int PKTTYPE_UDP = 0x0200;
    /** The packet type holds an ETQF index in bits 6:4 instead of protocol bits. */
    public static final int PKTTYPE_ETQF = 0x8000;
    public static final int PKTTYPE_ETQF_INDEX_SHIFT = 4;

    public static final int STAT_DD = 1;
    public static final int STAT_EOP = 1 << 1;
    public static final int STAT_FLM = 1 << 2;
    public static final int STAT_VP = 1 << 3;
    public static final int STATUS_MASK = 0x000FFFFF;

    public static final int ERROR_SHIFT = 20;
    public static final int ERROR_MASK = 0xFFF00000;
    public static final int ERR_HBO = 1 << 23;
    /** RXE: a MAC error (CRC, length, ...) on 82599; this model also uses it for a frame whose data DMA was refused. */
    public static final int ERR_RXE = 1 << 29;
    public static final int ERR_L4E = 1 << 30;
    public static final int ERR_IPE = 1 << 31;

    /** Dword 2 of a write-back: status bits with errors. */
    public static int statusError(int status, int errors) {
        return (status & STATUS_MASK) | (errors & ERROR_MASK);
    }

    /** Dword 0 of a write-back for a frame that matched EtherType filter {@code index}. */
    public static int etqfPacketInfo(int index) {
        return PKTTYPE_ETQF | ((index & 0x7) << PKTTYPE_ETQF_INDEX_SHIFT);
    }
}
