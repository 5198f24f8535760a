package org.jdma.spec.acpi;

/**
 * SoC Integrated Device Property Reporting, type 6 (VT-d spec rev. 4.1 §8.9).
 *
 * <pre>
 * 0x00 Type u16 = 6 | 0x02 Length u16
 * 0x04 Reserved u16 | 0x06 Segment Number u16
 * 0x08 Device Scope[]
 * </pre>
 */
public final class SidpLayout {
    private SidpLayout() { }

    public static final int RESERVED = 0x04;
    public static final int SEGMENT = 0x06;
    public static final int SCOPES = 0x08;
    public static final int MIN_LENGTH = SCOPES;
}
