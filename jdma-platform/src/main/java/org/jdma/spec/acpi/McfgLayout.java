package org.jdma.spec.acpi;

/**
 * The PCI Express memory-mapped configuration space base address description table, MCFG (PCI
 * Firmware Specification 3.2 §4.1.2, Tables 4-2 and 4-3): after the 36-byte ACPI header
 * ({@link AcpiHeaderLayout}) and 8 reserved bytes, one 16-byte allocation structure per range of
 * buses whose configuration space is reachable through ECAM.
 *
 * <pre>
 * 0x00 ACPI header, Signature "MCFG", Revision 1
 * 0x24 Reserved[8]
 * 0x2C Allocation structures[], 16 bytes each:
 *        +0x0 Base Address u64     ECAM base of the segment: the address of bus 0, even when
 *                                  Start Bus is not 0 (Linux pci_mmcfg_arch_map)
 *        +0x8 PCI Segment Group u16
 *        +0xA Start Bus Number u8
 *        +0xB End Bus Number u8
 *        +0xC Reserved u32
 * </pre>
 */
public final class McfgLayout {
    private McfgLayout() { }

    public static final String SIGNATURE = "MCFG";
    public static final int REVISION = 1;
    public static final int RESERVED = 0x24;
    public static final int RESERVED_SIZE = 8;
    public static final int ALLOCATIONS = 0x2C;

    public static final int ALLOCATION_SIZE = 16;
    public static final int BASE_ADDRESS = 0x0;
    public static final int SEGMENT = 0x8;
    public static final int START_BUS = 0xA;
    public static final int END_BUS = 0xB;
    public static final int ALLOCATION_RESERVED = 0xC;

    /** Table length for {@code allocations} allocation structures. */
    public static int length(int allocations) {
        return ALLOCATIONS + allocations * ALLOCATION_SIZE;
    }
}
