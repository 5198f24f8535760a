package org.jdma.spec.acpi;

/**
 * Remapping Hardware Static Affinity, type 3 (VT-d spec §8.6).
 *
 * <pre>
 * 0x00 Type u16 = 3 | 0x02 Length u16 = 20
 * 0x04 Reserved u32
 * 0x08 Register Base Address u64 (of the DRHD this affinity is for)
 * 0x10 Proximity Domain u32
 * </pre>
 */
public final class RhsaLayout {
    private RhsaLayout() { }

    public static final int RESERVED = 0x04;
    public static final int REGISTER_BASE = 0x08;
    public static final int PROXIMITY_DOMAIN = 0x10;
    public static final int LENGTH = 0x14;
}
