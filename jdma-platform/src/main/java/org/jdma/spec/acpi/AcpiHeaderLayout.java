package org.jdma.spec.acpi;

/**
 * The system description table header (ACPI 6.5 §5.2.6, Table 5.4).
 *
 * <pre>
 * 0x00 Signature[4] | 0x04 Length u32 | 0x08 Revision u8 | 0x09 Checksum u8
 * 0x0A OEMID[6] | 0x10 OEM Table ID[8] | 0x18 OEM Revision u32
 * 0x1C Creator ID[4] | 0x20 Creator Revision u32 | 0x24 (table-specific data)
 * </pre>
 * The checksum makes the sum of all bytes of the table (Length bytes) zero modulo 256.
 */
public final class AcpiHeaderLayout {
    private AcpiHeaderLayout() { }

    public static final int SIGNATURE = 0x00;
    public static final int SIGNATURE_SIZE = 4;
    public static final int LENGTH = 0x04;
    public static final int REVISION = 0x08;
    public static final int CHECKSUM = 0x09;
    public static final int OEM_ID = 0x0A;
    public static final int OEM_ID_SIZE = 6;
    public static final int OEM_TABLE_ID = 0x10;
    public static final int OEM_TABLE_ID_SIZE = 8;
    public static final int OEM_REVISION = 0x18;
    public static final int CREATOR_ID = 0x1C;
    public static final int CREATOR_ID_SIZE = 4;
    public static final int CREATOR_REVISION = 0x20;
    public static final int SIZE = 0x24;
}
