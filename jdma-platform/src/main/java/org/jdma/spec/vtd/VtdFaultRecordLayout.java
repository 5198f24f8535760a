package org.jdma.spec.vtd;

/**
 * A primary fault recording register (VT-d spec §10.4.14, "Fault Recording Registers"): 128 bits
 * at CAP.FRO*16 + 16*i.
 *
 * <pre>
 * lower 64 bits: 63                      12 11        0
 *                | fault info (FI): page address | reserved |
 * upper 64 bits: 63  62   61 60  59    40 39      32 31  ... 16 15            0
 *                | F | T1 | AT  | PASID...| FR (reason) | reserved | SID (source id) |
 * </pre>
 *
 * For an interrupt-remapping fault (FR 0x20-0x27) the lower half holds the interrupt index in bits
 * 63:48 instead of a page address (§10.4.14 FI; QEMU {@code VTD_FRCD_IR_IDX}), and T1 reads 0 (the
 * request was a write).
 *
 * <p>F (bit 127, RW1C) says the record holds a fault; software clears it by writing 1. T1 (bit 126):
 * 0 = write request, 1 = read request. FR is a {@link VtdFaultReason} code. SID is the requester's
 * bus:device.function.
 */
public final class VtdFaultRecordLayout {
    private VtdFaultRecordLayout() { }

    public static final int LO = 0;
    public static final int HI = 8;

    public static final long LO_FI_MASK = 0xFFFF_FFFF_FFFF_F000L;
    /** FI of an interrupt-remapping fault: the interrupt index in bits 63:48. */
    public static final int LO_IR_INDEX_SHIFT = 48;

    /** The lower half of an interrupt-remapping fault's record. */
    public static long loInterrupt(int index) {
        return ((long) index & 0xFFFF) << LO_IR_INDEX_SHIFT;
    }

    public static int interruptIndex(long lo) {
        return (int) (lo >>> LO_IR_INDEX_SHIFT) & 0xFFFF;
    }
    public static final long HI_SID_MASK = 0xFFFFL;
    public static final int HI_FR_SHIFT = 32;
    public static final long HI_FR_MASK = 0xFFL << HI_FR_SHIFT;
    /** Type bit T1: set for a read request, clear for a write. */
    public static final long HI_T_READ = 1L << 62;
    /** Fault bit F (RW1C). */
    public static final long HI_F = 1L << 63;

    public static long hi(int sourceId, int reason, boolean read) {
        return HI_F | (read ? HI_T_READ : 0) | (((long) reason << HI_FR_SHIFT) & HI_FR_MASK) | (sourceId & HI_SID_MASK);
    }

    public static int sourceId(long hi) { return (int) (hi & HI_SID_MASK); }
    public static int reason(long hi) { return (int) ((hi & HI_FR_MASK) >>> HI_FR_SHIFT); }
    public static boolean isRead(long hi) { return (hi & HI_T_READ) != 0; }
    public static boolean isFault(long hi) { return (hi & HI_F) != 0; }
}
