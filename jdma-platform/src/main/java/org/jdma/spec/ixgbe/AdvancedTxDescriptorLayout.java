package org.jdma.spec.ixgbe;

/**
 * The advanced transmit data descriptor (DTYP = 0011b, DEXT = 1), 16 bytes little-endian (82599
 * datasheet §7.2.3.2.4; {@code union ixgbe_adv_tx_desc}).
 *
 * <p>Read format, written by software:
 * <pre>
 * byte 0x00 | Buffer Address (64)                                                          |
 *      0x08 | DTALEN [15:0] | rsv [17:16] | MAC [19:18] | DTYP [23:20] | DCMD [31:24]        |
 *           |   DCMD: [24] EOP [25] IFCS [27] RS [29] DEXT [30] VLE [31] TSE                 |
 *      0x0C | STA [3:0] (write 0) | IDX [6:4] | CC [7] | POPTS [13:8] | PAYLEN [31:14]       |
 * </pre>
 *
 * <p>Write-back: the controller writes the status dword at 0x0C with
 * STA.DD = 1 once it has fetched the descriptor's data, only for descriptors with DCMD.RS set.
 *
 * <p>A frame is one or more data descriptors; the last has EOP. PAYLEN in the first descriptor
 * of a frame is the frame's length (without TSO). A context descriptor (DTYP = 0010b) carries
 * offload parameters and no data.
 */
public final class AdvancedTxDescriptorLayout {

    private AdvancedTxDescriptorLayout() { }

    public static final int SIZE = 16;

    public static final int BUFFER_ADDR = 0x00;
    /** Dword 2: DTALEN, MAC, DTYP, DCMD. */
    public static final int CMD_TYPE_LEN = 0x08;
    /** Dword 3: STA, IDX, CC, POPTS, PAYLEN (and the write-back status). */
    public static final int OLINFO_STATUS = 0x0C;

    public static final int DTALEN_MASK = 0x0000FFFF;
    public static final int MAC_MASK = 0x000C0000;
    public static final int DTYP_SHIFT = 20;
    public static final int DTYP_MASK = 0xF << DTYP_SHIFT;
    public static final int DTYP_CONTEXT = 0x2 << DTYP_SHIFT;
    public static final int DTYP_DATA = 0x3 << DTYP_SHIFT;
    public static final int DCMD_EOP = 1 << 24;
    public static final int DCMD_IFCS = 1 << 25;
    public static final int DCMD_RS = 1 << 27;
    public static final int DCMD_DEXT = 1 << 29;
    public static final int DCMD_VLE = 1 << 30;
    public static final int DCMD_TSE = 1 << 31;

    public static final int STA_DD = 1;
    public static final int STA_MASK = 0xF;
    public static final int IDX_SHIFT = 4;
    public static final int CC = 1 << 7;
    public static final int POPTS_SHIFT = 8;
    public static final int POPTS_IXSM = 1 << 8;
    public static final int POPTS_TXSM = 1 << 9;
    public static final int PAYLEN_SHIFT = 14;
    /** PAYLEN is 18 bits. */
    public static final int PAYLEN_MAX = (1 << 18) - 1;

    /** Dword 2 of a data descriptor of {@code length} bytes with the DCMD bits {@code dcmd}. */
    public static int dataCmdTypeLen(int length, int dcmd) {
        return DTYP_DATA | DCMD_DEXT | dcmd | (length & DTALEN_MASK);
    }

    /** Dword 3 of a frame's first descriptor: PAYLEN = the frame length. */
    public static int olinfo(int payloadLength) {
        return payloadLength << PAYLEN_SHIFT;
    }

    /** Whether dword 2 describes an advanced data descriptor. */
    public static boolean isData(int cmdTypeLen) {
        return (cmdTypeLen & DTYP_MASK) == DTYP_DATA && (cmdTypeLen & DCMD_DEXT) != 0;
    }

    /** Whether dword 2 describes an advanced context descriptor. */
    public static boolean isContext(int cmdTypeLen) {
        return (cmdTypeLen & DTYP_MASK) == DTYP_CONTEXT && (cmdTypeLen & DCMD_DEXT) != 0;
    }
}
