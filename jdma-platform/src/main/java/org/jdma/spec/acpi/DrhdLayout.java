package org.jdma.spec.acpi;

/**
 * DMA Remapping Hardware Unit Definition, type 0 (VT-d spec §8.3).
 *
 * <pre>
 * 0x00 Type u16 = 0 | 0x02 Length u16
 * 0x04 Flags u8: bit0 INCLUDE_PCI_ALL
 * 0x05 Size u8: bits 3:0 = N, register set is 2^N 4 KiB pages (reserved, 0, before VT-d 3.x)
 * 0x06 Segment Number u16
 * 0x08 Register Base Address u64 (4 KiB aligned)
 * 0x10 Device Scope[]
 * </pre>
 */
public final class DrhdLayout {
    private DrhdLayout() { }

    public static final int FLAGS = 0x04;
    public static final int SIZE_FIELD = 0x05;
    public static final int SEGMENT = 0x06;
    public static final int REGISTER_BASE = 0x08;
    public static final int SCOPES = 0x10;
    public static final int MIN_LENGTH = SCOPES;
    public static final int FLAG_INCLUDE_PCI_ALL = 0x01;
    public static final int REGISTER_BASE_ALIGN = 4096;
}
