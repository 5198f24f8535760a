package org.jdma.spec.acpi;

/**
 * A device scope entry (VT-d spec §8.3.1, "Device Scope Structure").
 *
 * <pre>
 * 0x00 Type u8: 1 PCI endpoint, 2 PCI sub-hierarchy, 3 IOAPIC, 4 MSI-capable HPET, 5 ACPI namespace
 * 0x01 Length u8 = 6 + 2 * path entries
 * 0x02 Flags u8 (reserved before VT-d 3.0) | 0x03 Reserved u8
 * 0x04 Enumeration ID u8 | 0x05 Start Bus Number u8
 * 0x06 Path[]: (Device u8, Function u8) per hop
 * </pre>
 */
public final class DeviceScopeLayout {
    private DeviceScopeLayout() { }

    public static final int TYPE = 0x00;
    public static final int LENGTH = 0x01;
    public static final int FLAGS = 0x02;
    public static final int RESERVED = 0x03;
    public static final int ENUMERATION_ID = 0x04;
    public static final int START_BUS = 0x05;
    public static final int PATH = 0x06;
    public static final int PATH_ENTRY_SIZE = 2;
    public static final int MIN_LENGTH = PATH;

    public static final int TYPE_PCI_ENDPOINT = 1;
    public static final int TYPE_PCI_SUBHIERARCHY = 2;
    public static final int TYPE_IOAPIC = 3;
    public static final int TYPE_HPET = 4;
    public static final int TYPE_ACPI_NAMESPACE = 5;
}
