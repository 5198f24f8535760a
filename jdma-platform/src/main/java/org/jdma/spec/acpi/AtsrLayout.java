package org.jdma.spec.acpi;

/**
 * Root Port ATS Capability Reporting, type 2 (VT-d spec §8.5).
 *
 * <pre>
 * 0x00 Type u16 = 2 | 0x02 Length u16
 * 0x04 Flags u8: bit0 ALL_PORTS | 0x05 Reserved u8 | 0x06 Segment Number u16
 * 0x08 Device Scope[]
 * </pre>
 */
public final class AtsrLayout {
    private AtsrLayout() { }

    public static final int FLAGS = 0x04;
    public static final int RESERVED = 0x05;
    public static final int SEGMENT = 0x06;
    public static final int SCOPES = 0x08;
    public static final int MIN_LENGTH = SCOPES;
    public static final int FLAG_ALL_PORTS = 0x01;
}
