package org.jdma.spec.acpi;

/**
 * The DMA Remapping Reporting table (VT-d spec §8.1, Table "DMA Remapping Reporting Structure"),
 * after the 36-byte ACPI header, and the common header of every remapping structure (§8.2).
 *
 * <pre>
 * 0x24 Host Address Width u8 (DMA physical address bits - 1)
 * 0x25 Flags u8: bit0 INTR_REMAP, bit1 X2APIC_OPT_OUT, bit2 DMA_CTRL_PLATFORM_OPT_IN
 * 0x26 Reserved[10]
 * 0x30 Remapping Structures[]: each starts with  Type u16 | Length u16
 * </pre>
 */
public final class DmarLayout {
    private DmarLayout() { }

    public static final String SIGNATURE = "DMAR";
    public static final int HOST_ADDRESS_WIDTH = 0x24;
    public static final int FLAGS = 0x25;
    public static final int RESERVED = 0x26;
    public static final int RESERVED_SIZE = 10;
    public static final int STRUCTURES = 0x30;

    public static final int FLAG_INTR_REMAP = 0x01;
    public static final int FLAG_X2APIC_OPT_OUT = 0x02;
    public static final int FLAG_DMA_CTRL_PLATFORM_OPT_IN = 0x04;

    /** Remapping structure header (§8.2): Type u16 at 0, Length u16 at 2. */
    public static final int STRUCT_TYPE = 0x00;
    public static final int STRUCT_LENGTH = 0x02;
    public static final int STRUCT_HEADER_SIZE = 4;

    public static final int TYPE_DRHD = 0;
    public static final int TYPE_RMRR = 1;
    public static final int TYPE_ATSR = 2;
    public static final int TYPE_RHSA = 3;
    public static final int TYPE_ANDD = 4;
    public static final int TYPE_SATC = 5;
    public static final int TYPE_SIDP = 6;
}
