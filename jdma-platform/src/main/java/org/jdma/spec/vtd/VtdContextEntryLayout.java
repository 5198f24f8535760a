package org.jdma.spec.vtd;

/**
 * A legacy-mode context entry (VT-d spec §9.3, "Context Entry"): 128 bits, 256 of them per 4 KiB
 * context table, indexed by device * 8 + function.
 *
 * <pre>
 * lower 64 bits: 63                                   12 11    4 3  2   1    0
 *                | second-level page-table pointer (SLPTPTR) | rsvd | TT | FPD | P |
 * upper 64 bits: 63     24 23           8 7    6    3 2  0
 *                | rsvd   | domain id (DID) | rsvd | AVAIL | AW |
 * </pre>
 *
 * TT: 00 untranslated requests translated through the second-level tables; 01 same, device-TLB
 * requests allowed too (needs ECAP.DT, absent here: reserved); 10 pass-through (needs ECAP.PT;
 * AW then gives the width checked, SLPTPTR is ignored); 11 reserved. AW: 1 = 39-bit (3-level),
 * 2 = 48-bit (4-level), 3 = 57-bit (5-level); only values in CAP.SAGAW are valid. DID is 16 bits
 * wide in the format; a unit with fewer domain ids treats the bits above CAP.ND as reserved.
 */
public final class VtdContextEntryLayout {
    private VtdContextEntryLayout() { }

    public static final int SIZE = 16;
    public static final int ENTRIES = 256;
    public static final int TABLE_BYTES = SIZE * ENTRIES;

    public static final int LO = 0;
    public static final int HI = 8;

    public static final long LO_P = 1L;
    public static final long LO_FPD = 1L << 1;
    public static final int LO_TT_SHIFT = 2;
    public static final long LO_TT_MASK = 0x3L << LO_TT_SHIFT;
    public static final long LO_RESERVED = 0xFF0L; // bits 11:4
    public static final long LO_SLPTPTR_MASK = 0xFFFF_FFFF_FFFF_F000L;

    public static final long HI_AW_MASK = 0x7L;
    public static final int HI_AVAIL_SHIFT = 3;
    public static final long HI_AVAIL_MASK = 0xFL << HI_AVAIL_SHIFT;
    public static final long HI_RESERVED = 0xFFFF_FFFF_FF00_0080L; // bits 63:24 and 7
    public static final int HI_DID_SHIFT = 8;
    public static final long HI_DID_MASK = 0xFFFFL << HI_DID_SHIFT;

    /** Translation types (TT). */
    public static final int TT_MULTI_LEVEL = 0;
    public static final int TT_DEVICE_TLB = 1;
    public static final int TT_PASS_THROUGH = 2;
    public static final int TT_RESERVED = 3;

    /** AW values. */
    public static final int AW_39_BIT = 1;
    public static final int AW_48_BIT = 2;

    /** Byte offset of device {@code dev} function {@code fn}'s entry in a context table. */
    public static int offsetOf(int dev, int fn) {
        if (dev < 0 || dev > 31 || fn < 0 || fn > 7) {
            throw new IllegalArgumentException("device must be 0..31 and function 0..7, was " + dev + "." + fn);
        }
        return (dev * 8 + fn) * SIZE;
    }

    /** Byte offset of the entry for devfn ({@code device << 3 | function}). */
    public static int offsetOf(int devfn) {
        return (devfn & 0xFF) * SIZE;
    }

    public static long lo(long slptptr, int tt, boolean faultProcessingDisable, boolean present) {
        return (slptptr & LO_SLPTPTR_MASK) | (((long) tt << LO_TT_SHIFT) & LO_TT_MASK)
                | (faultProcessingDisable ? LO_FPD : 0) | (present ? LO_P : 0);
    }

    public static long hi(int domainId, int aw) {
        return (((long) domainId << HI_DID_SHIFT) & HI_DID_MASK) | (aw & HI_AW_MASK);
    }

    public static int tt(long lo) { return (int) ((lo & LO_TT_MASK) >>> LO_TT_SHIFT); }
    public static int aw(long hi) { return (int) (hi & HI_AW_MASK); }
    public static int domainId(long hi) { return (int) ((hi & HI_DID_MASK) >>> HI_DID_SHIFT); }
}
