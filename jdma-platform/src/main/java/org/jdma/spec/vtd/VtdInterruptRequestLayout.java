package org.jdma.spec.vtd;

/**
 * The two formats of an interrupt request, a 32-bit write to 0xFEEx_xxxx, when interrupt
 * remapping is on (VT-d spec §5.1.2 "Interrupt Request Formats"; Linux {@code x86_msi_addr_lo},
 * QEMU {@code VTD_IR_MSIAddress}). Bit 4 of the address tells them apart.
 *
 * <pre>
 * Compatibility (bit 4 = 0): the x86 MSI of Intel SDM §11.11 (org.jdma.spec.msi.MsiMessageLayout)
 *   31      20 19         12 11   5  4     3    2   1 0
 *   | 0xFEE   | destination  | rsvd | 0  | RH | DM | x |
 * Remappable (bit 4 = 1):
 *   31      20 19                   5  4     3     2          1 0
 *   | 0xFEE   | handle[14:0]          | 1  | SHV | handle[15] | x |
 * data (remappable): 31:16 reserved (0 when SHV = 1) | 15:0 sub-handle
 * </pre>
 *
 * The interrupt index is the handle, plus the sub-handle when SHV = 1 (§5.1.2.2; Linux programs
 * multi-MSI blocks this way). The upper address dword must be 0. A remappable request with
 * address bits 31:20 other than 0xFEE, a non-zero upper dword, or with SHV = 1 and data bits 31:16
 * set has reserved bits set (fault 0x20).
 */
public final class VtdInterruptRequestLayout {
    private VtdInterruptRequestLayout() { }

    public static final long ADDRESS_BASE = 0xFEE0_0000L;
    public static final long ADDRESS_BASE_MASK = 0xFFF0_0000L;
    /** Bit 4: 1 = remappable format. */
    public static final long ADDRESS_REMAPPABLE = 1L << 4;
    /** Bit 3 of a remappable request: the sub-handle in the data is valid. */
    public static final long ADDRESS_SHV = 1L << 3;
    /** Bit 2 of a remappable request: handle bit 15. */
    public static final long ADDRESS_HANDLE_15 = 1L << 2;
    public static final int ADDRESS_HANDLE_SHIFT = 5;
    public static final long ADDRESS_HANDLE_MASK = 0x7FFFL << ADDRESS_HANDLE_SHIFT;
    public static final int DATA_SUBHANDLE_MASK = 0xFFFF;
    public static final int DATA_RESERVED_WITH_SHV = 0xFFFF_0000;

    public static boolean remappable(long address) {
        return (address & ADDRESS_REMAPPABLE) != 0;
    }

    public static int handle(long address) {
        return (int) ((address & ADDRESS_HANDLE_MASK) >>> ADDRESS_HANDLE_SHIFT) | ((address & ADDRESS_HANDLE_15) != 0 ? 1 << 15 : 0);
    }

    public static boolean subhandleValid(long address) {
        return (address & ADDRESS_SHV) != 0;
    }

    /** The interrupt index a remappable request names (may exceed 16 bits: handle 0xFFFF + sub-handle). */
    public static int index(long address, int data) {
        return handle(address) + (subhandleValid(address) ? data & DATA_SUBHANDLE_MASK : 0);
    }

    /** A remappable request naming {@code handle}, with SHV set (Linux {@code fill_msi_msg}: data is the sub-handle). */
    public static long address(int handle, boolean subhandleValid) {
        return ADDRESS_BASE | ADDRESS_REMAPPABLE | (subhandleValid ? ADDRESS_SHV : 0)
                | (((long) handle << ADDRESS_HANDLE_SHIFT) & ADDRESS_HANDLE_MASK)
                | ((handle & (1 << 15)) != 0 ? ADDRESS_HANDLE_15 : 0);
    }
}
