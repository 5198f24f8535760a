package org.jdma.spec.nvme;

/**
 * The completion queue entry, 16 bytes (NVMe base spec §4.6, "Completion Queue Entry"; Linux
 * {@code struct nvme_completion}, QEMU {@code NvmeCqe}).
 *
 * <pre>
 * byte 0x00 | DW0: command specific result                                    |
 *      0x04 | DW1: reserved                                                   |
 *      0x08 | SQHD [15:0] (SQ head the controller has consumed up to) | SQID [31:16] |
 *      0x0C | CID [15:0] | P [16] | status field [31:17]                      |
 * status field (the 16-bit word at 0x0E): P [0], SC [8:1], SCT [11:9], CRD [13:12], M [14], DNR [15]
 * </pre>
 *
 * The host holds a status as {@code SCT << 8 | SC} ({@link NvmeStatus}); the word at 0x0E is that
 * value shifted left by one with the phase tag in bit 0. The controller inverts the phase it
 * writes each time its tail wraps; both sides start with phase 1 over zeroed memory (§4.6).
 */
public final class CompletionEntryLayout {

    private CompletionEntryLayout() { }

    public static final int SIZE = 16;
    /** log2 of {@link #SIZE}: the value CC.IOCQES and Identify CQES carry. */
    public static final int SIZE_LOG2 = 4;

    public static final int DW0 = 0x00;
    public static final int DW1 = 0x04;
    public static final int SQHD = 0x08;
    public static final int SQID = 0x0A;
    public static final int CID = 0x0C;
    /** The 16-bit phase and status word. */
    public static final int STATUS = 0x0E;

    public static final int PHASE = 1;
    public static final int SC_SHIFT = 1;
    public static final int SC_MASK = 0xFF << SC_SHIFT;
    public static final int SCT_SHIFT = 9;
    public static final int SCT_MASK = 0x7 << SCT_SHIFT;
    public static final int CRD_SHIFT = 12;
    public static final int CRD_MASK = 0x3 << CRD_SHIFT;
    public static final int MORE = 1 << 14;
    public static final int DNR = 1 << 15;

    /** The STATUS word for status {@code sctSc} ({@code SCT << 8 | SC}), {@code dnr} and the phase tag. */
    public static int statusWord(int sctSc, boolean dnr, int phase) {
        return (sctSc & 0x7FF) << SC_SHIFT | (dnr ? DNR : 0) | (phase & PHASE);
    }

    /** {@code SCT << 8 | SC} of a STATUS word. */
    public static int status(int word) {
        return (word & (SC_MASK | SCT_MASK)) >>> SC_SHIFT;
    }

    public static int phase(int word) {
        return word & PHASE;
    }

    public static boolean dnr(int word) {
        return (word & DNR) != 0;
    }

    public static boolean more(int word) {
        return (word & MORE) != 0;
    }
}
