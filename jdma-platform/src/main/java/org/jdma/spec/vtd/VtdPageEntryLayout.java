package org.jdma.spec.vtd;

/**
 * A second-level paging entry (VT-d spec §9.8, "Second-Level Paging Entries", and §3.7 for the
 * walk): 64 bits, 512 per 4 KiB table. Level 4 (PML4E, 48-bit only) → level 3 (PDPE, or a 1 GiB
 * page with PS) → level 2 (PDE, or a 2 MiB page with PS) → level 1 (PTE, a 4 KiB page).
 *
 * <pre>
 * 63  62  61   52 51                 12 11   10  8  7   6    5 3  2  1   0
 * |ign| TM | ign | address (HAW-1:12)   | SNP | ign | PS | IPAT | EMT | X | W | R |
 * </pre>
 *
 * An entry with R and W both clear is not present (§3.7: "if both are 0, the entry is not
 * present"). Reserved (must be 0, else fault 0xC): address bits at or above the host address
 * width; SNP (bit 11) when ECAP.SC is 0; PS in a level-4 entry; PS in a level-3 entry when 1 GiB
 * pages are not supported (CAP.SLLPS bit 1), in a level-2 entry when 2 MiB pages are not; in a
 * superpage entry, the address bits below the page size (20:12 for 2 MiB, 29:12 for 1 GiB); TM
 * (bit 62) when ECAP.DT is 0. X (bit 2, execute) is ignored in legacy mode. Ignored bits 63, 61:52,
 * 10:8 may hold anything.
 */
public final class VtdPageEntryLayout {
    private VtdPageEntryLayout() { }

    public static final int SIZE = 8;
    public static final int ENTRIES = 512;
    public static final int TABLE_BYTES = SIZE * ENTRIES;
    public static final int BITS_PER_LEVEL = 9;
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;

    public static final long R = 1L;
    public static final long W = 1L << 1;
    public static final long X = 1L << 2;
    public static final int EMT_SHIFT = 3;
    public static final long IPAT = 1L << 6;
    public static final long PS = 1L << 7;
    public static final long SNP = 1L << 11;
    public static final long ADDRESS_MASK = 0x000F_FFFF_FFFF_F000L; // bits 51:12
    public static final long TM = 1L << 62;
    /** Bits the unit ignores: 63, 61:52, 10:8. */
    public static final long IGNORED = 0xBFF0_0000_0000_0700L;

    /** Shift of the IOVA bits that index a table at {@code level} (1 = PTE ... 4 = PML4E). */
    public static int indexShift(int level) {
        return PAGE_SHIFT + BITS_PER_LEVEL * (level - 1);
    }

    /** Index into the table at {@code level} for {@code iova}. */
    public static int indexOf(long iova, int level) {
        return (int) ((iova >>> indexShift(level)) & (ENTRIES - 1));
    }

    /** Bytes mapped by one leaf entry at {@code level}: 4 KiB, 2 MiB, 1 GiB. */
    public static long pageSizeAt(int level) {
        return 1L << indexShift(level);
    }

    public static boolean present(long entry) {
        return (entry & (R | W)) != 0;
    }

    public static long entry(long address, boolean read, boolean write, boolean superpage) {
        return (address & ADDRESS_MASK) | (read ? R : 0) | (write ? W : 0) | (superpage ? PS : 0);
    }

    /**
     * Reserved bits of an entry at {@code level} for a unit with the given host address width,
     * superpage support and snoop control. A leaf superpage's low address bits are added by
     * {@link #reservedSuperpageAddressBits(int)} when PS is set.
     */
    public static long reservedBits(int level, int hawBits, boolean twoMiB, boolean oneGiB, boolean snoopControl, boolean deviceTlb) {
        long r = (ADDRESS_MASK & (-1L << hawBits));
        if (!snoopControl) {
            r |= SNP;
        }
        if (!deviceTlb) {
            r |= TM;
        }
        if (level >= 4 || level == 3 && !oneGiB || level == 2 && !twoMiB) {
            r |= PS;
        }
        return r;
    }

    /** Address bits that must be zero in a superpage entry at {@code level} (2 or 3). */
    public static long reservedSuperpageAddressBits(int level) {
        return (pageSizeAt(level) - 1) & ~(PAGE_SIZE - 1);
    }
}
