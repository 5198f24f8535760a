package org.jdma.spec.pci;

/**
 * The MSI-X table and Pending Bit Array as they appear in a device's BAR (PCI Local Bus
 * Specification 3.0 §6.8.2.6-§6.8.2.10; Linux include/uapi/linux/pci_regs.h
 * {@code PCI_MSIX_ENTRY_*}). Little-endian; software accesses them with aligned 4- or 8-byte
 * reads and writes (§6.8.2, "MSI-X Table ... DWORD or QWORD accesses").
 *
 * <pre>
 * Table entry n, at table offset n * 16:
 *        31                                      2 1 0
 * +0x0  | Message Address [31:2]                  | 0 0 |   bits [1:0] reserved, read 0
 * +0x4  | Message Upper Address [63:32]                 |
 * +0x8  | Message Data [31:0]                           |
 * +0xC  | reserved [31:1]                         | M   |   M = Mask Bit, 1 after reset
 *
 * PBA, at PBA offset q * 8: QWORD q holds the Pending Bits of entries 64q .. 64q + 63,
 * entry n in bit (n mod 64). Read-only.
 * </pre>
 */
public final class MsixTableLayout {
    private MsixTableLayout() { }

    public static final int ENTRY_SIZE = 16;
    public static final int ADDR_LO = 0x0;
    public static final int ADDR_HI = 0x4;
    public static final int DATA = 0x8;
    public static final int VECTOR_CONTROL = 0xC;

    /** Message Address bits [1:0]: reserved (DWORD-aligned address), read as zero. */
    public static final int ADDR_LO_RESERVED_MASK = 0x3;
    /** Vector Control bit 0: Mask Bit. Set at reset (§6.8.2.9). */
    public static final int VECTOR_MASKED = 1;
    /** Vector Control bits that exist here; [31:1] are reserved (no TPH steering tag is modeled). */
    public static final int VECTOR_CONTROL_MASK = VECTOR_MASKED;

    /** Bytes per PBA word, and entries per word. */
    public static final int PBA_WORD_SIZE = 8;
    public static final int PBA_ENTRIES_PER_WORD = 64;

    /** Table Size in Message Control is 11 bits of (size - 1): at most 2048 entries. */
    public static final int MAX_ENTRIES = 2048;

    /** Bytes of table for {@code entries} entries. */
    public static long tableSize(int entries) {
        return (long) entries * ENTRY_SIZE;
    }

    /** Bytes of PBA for {@code entries} entries: whole QWORDs. */
    public static long pbaSize(int entries) {
        return (long) ((entries + PBA_ENTRIES_PER_WORD - 1) / PBA_ENTRIES_PER_WORD) * PBA_WORD_SIZE;
    }
}
