package org.jdma.spec.acpi;

/**
 * Reserved Memory Region Reporting, type 1 (VT-d spec §8.4).
 *
 * <pre>
 * 0x00 Type u16 = 1 | 0x02 Length u16
 * 0x04 Reserved u16 | 0x06 Segment Number u16
 * 0x08 Reserved Memory Region Base Address u64 (4 KiB aligned)
 * 0x10 Reserved Memory Region Limit Address u64 (inclusive; limit + 1 is 4 KiB aligned)
 * 0x18 Device Scope[]
 * </pre>
 */
public final class RmrrLayout {
    private RmrrLayout() { }

    public static final int RESERVED = 0x04;
    public static final int SEGMENT = 0x06;
    public static final int BASE = 0x08;
    public static final int LIMIT = 0x10;
    public static final int SCOPES = 0x18;
    public static final int MIN_LENGTH = SCOPES;
    public static final int ALIGN = 4096;
}
