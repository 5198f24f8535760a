package org.jdma.spec.pci;

/**
 * The Enhanced Configuration Access Mechanism: every function's 4 KiB configuration space mapped
 * into memory (PCI Express Base Specification 4.0 §7.2.2, Table 7-1). The region of one segment
 * begins at the base address the MCFG table gives for it; within it:
 *
 * <pre>
 *   address = base + (bus &lt;&lt; 20 | device &lt;&lt; 15 | function &lt;&lt; 12 | register)
 *   bits     27..20 bus | 19..15 device | 14..12 function | 11..0 register
 * </pre>
 *
 * so each bus takes 1 MiB and 256 buses 256 MiB. Accesses are at most a DWORD and naturally
 * aligned (§7.2.2.1); a read of a function that does not exist completes as an Unsupported Request
 * and the CPU sees all ones, a write to one is dropped.
 */
public final class EcamLayout {
    private EcamLayout() { }

    public static final int BUS_SHIFT = 20;
    public static final int DEVICE_SHIFT = 15;
    public static final int FUNCTION_SHIFT = 12;
    public static final int REGISTER_MASK = 0xFFF;
    public static final int BUS_MASK = 0xFF;
    public static final int DEVICE_MASK = 0x1F;
    public static final int FUNCTION_MASK = 0x7;
    /** Bytes of ECAM space per bus. */
    public static final long BYTES_PER_BUS = 1L << BUS_SHIFT;
    /** Bytes per function: its whole configuration space. */
    public static final int BYTES_PER_FUNCTION = 1 << FUNCTION_SHIFT;
    /** Largest access ECAM defines: a DWORD. */
    public static final int MAX_ACCESS_SIZE = 4;

    /** Offset of {@code register} of bus:device.function from the segment's base (which names bus 0). */
    public static long offset(int bus, int device, int function, int register) {
        return (long) (bus & BUS_MASK) << BUS_SHIFT | (long) (device & DEVICE_MASK) << DEVICE_SHIFT
                | (long) (function & FUNCTION_MASK) << FUNCTION_SHIFT | (register & REGISTER_MASK);
    }

    /** Offset of {@code register} of {@code function} (its segment is the caller's business). */
    public static long offset(RequesterId function, int register) {
        return offset(function.bus(), function.device(), function.function(), register);
    }

    /** Size of the region for buses {@code [startBus, endBus]}, measured from bus 0's base. */
    public static long regionEnd(int endBus) {
        return (long) (endBus + 1) << BUS_SHIFT;
    }

    public static int bus(long offset) {
        return (int) (offset >>> BUS_SHIFT) & BUS_MASK;
    }

    public static int device(long offset) {
        return (int) (offset >>> DEVICE_SHIFT) & DEVICE_MASK;
    }

    public static int function(long offset) {
        return (int) (offset >>> FUNCTION_SHIFT) & FUNCTION_MASK;
    }

    public static int register(long offset) {
        return (int) offset & REGISTER_MASK;
    }
}
