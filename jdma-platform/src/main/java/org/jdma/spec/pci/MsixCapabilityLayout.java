package org.jdma.spec.pci;

/**
 * The MSI-X capability in configuration space (PCI Local Bus Specification 3.0 §6.8.2.1-§6.8.2.5;
 * Linux include/uapi/linux/pci_regs.h {@code PCI_MSIX_*}). It says how many table entries the
 * function has and where the table and the Pending Bit Array live: in which BAR (BIR) at which
 * offset. The table and PBA themselves are in {@link MsixTableLayout}.
 *
 * <pre>
 *         31                 16 15          8 7           0
 * +0x0   | Message Control      | Next Ptr     | Cap ID 0x11 |
 * +0x4   | Table Offset [31:3]                      | BIR [2:0] |
 * +0x8   | PBA Offset [31:3]                        | BIR [2:0] |
 *
 * Message Control: [10:0] Table Size (entries - 1, RO), [13:11] reserved,
 *                  [14] Function Mask (RW), [15] MSI-X Enable (RW); both 0 after reset.
 * </pre>
 */
public final class MsixCapabilityLayout {
    private MsixCapabilityLayout() { }

    public static final int ID = 0x11;
    public static final int MESSAGE_CONTROL = 0x2;
    public static final int TABLE = 0x4;
    public static final int PBA = 0x8;
    /** Bytes the capability occupies. */
    public static final int SIZE = 12;

    public static final int CONTROL_TABLE_SIZE_MASK = 0x07FF;
    public static final int CONTROL_FUNCTION_MASK = 1 << 14;
    public static final int CONTROL_ENABLE = 1 << 15;

    /** BAR Indicator: bits [2:0] of the Table and PBA registers; 0..5 name BAR0..BAR5. */
    public static final int BIR_MASK = 0x7;
    /** The offset is QWORD aligned: bits [2:0] are the BIR. */
    public static final int OFFSET_MASK = ~BIR_MASK;

    /** Table Size field value for {@code entries} entries. */
    public static int tableSizeField(int entries) {
        return (entries - 1) & CONTROL_TABLE_SIZE_MASK;
    }

    /** Number of entries a Message Control value declares. */
    public static int entries(int messageControl) {
        return (messageControl & CONTROL_TABLE_SIZE_MASK) + 1;
    }

    /** The Table or PBA register value for {@code offset} in BAR {@code bir}. */
    public static int offsetAndBir(long offset, int bir) {
        return (int) (offset & OFFSET_MASK) | (bir & BIR_MASK);
    }
}
