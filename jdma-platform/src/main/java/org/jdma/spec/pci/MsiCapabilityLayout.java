package org.jdma.spec.pci;

/**
 * The MSI capability with a 64-bit message address (PCI Local Bus Specification 3.0 §6.8.1,
 * Figure 6-9; Linux include/uapi/linux/pci_regs.h {@code PCI_MSI_*}). The function writes Message
 * Data to Message Address to signal; with Multiple Message Enable = n it may replace the low n
 * bits of the data with a vector number (0 .. 2^n - 1). With per-vector masking, a masked vector
 * sets its Pending bit instead, and sends when unmasked (§6.8.1.7, §6.8.1.8).
 *
 * <pre>
 *         31                 16 15          8 7           0
 * +0x00  | Message Control      | Next Ptr     | Cap ID 0x05 |
 * +0x04  | Message Address [31:2]                     | 0 0 |
 * +0x08  | Message Upper Address [63:32]                    |
 * +0x0C  | reserved             | Message Data [15:0]       |
 * +0x10  | Mask Bits (only with per-vector masking)          |
 * +0x14  | Pending Bits (RO; only with per-vector masking)   |
 *
 * Message Control: [0] MSI Enable (RW), [3:1] Multiple Message Capable (RO, log2 of vectors),
 *   [6:4] Multiple Message Enable (RW, log2 of vectors granted), [7] 64-bit Address Capable (RO),
 *   [8] Per-Vector Masking Capable (RO), [15:9] reserved.
 * </pre>
 */
public final class MsiCapabilityLayout {
    private MsiCapabilityLayout() { }

    public static final int ID = 0x05;
    public static final int MESSAGE_CONTROL = 0x02;
    public static final int ADDRESS_LO = 0x04;
    public static final int ADDRESS_HI = 0x08;
    public static final int DATA = 0x0C;
    public static final int MASK_BITS = 0x10;
    public static final int PENDING_BITS = 0x14;
    /** Bytes the capability occupies with per-vector masking. */
    public static final int SIZE_WITH_MASKING = 0x18;
    /** Bytes without per-vector masking (0x0E of registers, padded to a DWORD). */
    public static final int SIZE_WITHOUT_MASKING = 0x10;

    public static final int CONTROL_ENABLE = 1;
    public static final int CONTROL_MMC_SHIFT = 1;
    public static final int CONTROL_MMC_MASK = 0x7 << CONTROL_MMC_SHIFT;
    public static final int CONTROL_MME_SHIFT = 4;
    public static final int CONTROL_MME_MASK = 0x7 << CONTROL_MME_SHIFT;
    public static final int CONTROL_64BIT = 1 << 7;
    public static final int CONTROL_PER_VECTOR_MASKING = 1 << 8;

    /** Message Address bits [1:0] are reserved: the address is DWORD aligned. */
    public static final int ADDRESS_LO_RESERVED_MASK = 0x3;
    public static final int DATA_MASK = 0xFFFF;
    /** At most 32 vectors (Multiple Message Capable 5). */
    public static final int MAX_VECTORS = 32;
    public static final int MAX_LOG2_VECTORS = 5;
}
