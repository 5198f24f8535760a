package org.jdma.spec.acpi;

/**
 * ACPI Name-space Device Declaration, type 4 (VT-d spec §8.7).
 *
 * <pre>
 * 0x00 Type u16 = 4 | 0x02 Length u16
 * 0x04 Reserved[3]
 * 0x07 ACPI Device Number u8 (matches a device scope's Enumeration ID of type 5)
 * 0x08 ACPI Object Name: ASCII, NUL-terminated, fully qualified ("\_SB.PCI0.I2C0")
 * </pre>
 */
public final class AnddLayout {
    private AnddLayout() { }

    public static final int RESERVED = 0x04;
    public static final int RESERVED_SIZE = 3;
    public static final int DEVICE_NUMBER = 0x07;
    public static final int OBJECT_NAME = 0x08;
    /** Header, device number and at least the terminating NUL. */
    public static final int MIN_LENGTH = OBJECT_NAME + 1;
}
