package org.jdma.spec.nvme;

/**
 * The active namespace ID list (Identify CNS 02h; NVMe base spec §5.15.2.3), 4096 bytes: up to
 * 1024 namespace ids, each a 32-bit little-endian word, in increasing order, all greater than the
 * command's NSID; unused entries are 0.
 *
 * <pre>
 * byte 0 | NSID 0 | 4 | NSID 1 | ... | 4092 | NSID 1023 |
 * </pre>
 */
public final class ActiveNamespaceListLayout {

    private ActiveNamespaceListLayout() { }

    public static final int SIZE = 4096;
    public static final int ENTRY_SIZE = 4;
    public static final int MAX_ENTRIES = SIZE / ENTRY_SIZE;

    public static int entry(int i) {
        return ENTRY_SIZE * i;
    }
}
