package org.jdma.spec.nvme;

/**
 * Physical Region Page entries and lists (NVMe base spec §4.3, "Physical Region Page Entry and
 * List").
 *
 * <pre>
 * PRP entry (64): | page base address [63:n] | offset [n-1:2] | 00 |    n = log2(page size, CC.MPS)
 * </pre>
 *
 * <ul>
 *   <li>PRP1 may carry an offset into its page; it covers {@code page - offset} bytes.</li>
 *   <li>If the rest fits in one page, PRP2 is that page and must have offset 0.</li>
 *   <li>Otherwise PRP2 points to a PRP list (it may have an offset: the first list page then holds
 *       {@code (page - offset) / 8} entries). Every list entry is a page with offset 0. If more
 *       entries are needed than a list page holds, its last entry points to the next list page.</li>
 *   <li>An entry whose offset is not a dword multiple, a non-first entry with an offset, or a list
 *       pointer less than one entry (8 bytes) before its page's end (a list page with no entry), is
 *       {@link NvmeStatus#PRP_OFFSET_INVALID}; a list the controller cannot read is
 *       {@link NvmeStatus#DATA_TRANSFER_ERROR}.</li>
 * </ul>
 */
public final class PrpLayout {

    private PrpLayout() { }

    public static final int ENTRY_SIZE = 8;
    /** Bits 1:0 of every entry are 0 (dword alignment). */
    public static final long DWORD_MASK = 0x3;

    /** The offset of {@code prp} in its page of {@code pageSize} bytes. */
    public static long offset(long prp, long pageSize) {
        return prp & (pageSize - 1);
    }

    /** Bytes PRP1 {@code prp1} covers: up to the end of its page. */
    public static long firstLength(long prp1, long pageSize) {
        return pageSize - offset(prp1, pageSize);
    }

    /** Entries a PRP list page starting at {@code listAddress} holds (its offset shortens the first page). */
    public static int entriesInListPage(long listAddress, long pageSize) {
        return (int) ((pageSize - offset(listAddress, pageSize)) / ENTRY_SIZE);
    }

    /** PRP entries after PRP1 that a transfer of {@code length} bytes starting at {@code prp1} needs. */
    public static long entriesAfterFirst(long prp1, long length, long pageSize) {
        long rest = length - firstLength(prp1, pageSize);
        return rest <= 0 ? 0 : (rest + pageSize - 1) / pageSize;
    }
}
