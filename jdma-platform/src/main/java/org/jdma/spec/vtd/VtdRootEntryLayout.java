package org.jdma.spec.vtd;

/**
 * A legacy-mode root entry (VT-d spec §9.1, "Root Entry"): 128 bits, 256 of them in the 4 KiB
 * root table that RTADDR points to, indexed by PCI bus number.
 *
 * <pre>
 * lower 64 bits: 63                         12 11        1   0
 *                | context-table pointer (CTP) | reserved  | P |
 * upper 64 bits: reserved (must be 0)
 * </pre>
 */
public final class VtdRootEntryLayout {
    private VtdRootEntryLayout() { }

    public static final int SIZE = 16;
    public static final int ENTRIES = 256;
    public static final int TABLE_BYTES = SIZE * ENTRIES;

    public static final int LO = 0;
    public static final int HI = 8;

    public static final long LO_P = 1L;
    public static final long LO_CTP_MASK = 0xFFFF_FFFF_FFFF_F000L;
    /** Reserved bits of the lower word: 11:1 (and CTP bits at or above the host address width). */
    public static final long LO_RESERVED = 0xFFEL;
    public static final long HI_RESERVED = -1L;

    /** Byte offset of bus {@code bus}'s entry in the root table. */
    public static int offsetOf(int bus) {
        return (bus & 0xFF) * SIZE;
    }

    public static long lo(long contextTable, boolean present) {
        return (contextTable & LO_CTP_MASK) | (present ? LO_P : 0);
    }

    /** Bits at or above {@code haw} in an address field, which must be zero. */
    public static long addressBitsAbove(int haw) {
        return haw >= 64 ? 0 : -1L << haw;
    }
}
