package org.jdma.machine.pci;

import org.jdma.spec.pci.PciConfigLayout;

/**
 * A memory Base Address Register a function declares (PCI Local Bus Specification 3.0 §6.2.5.1):
 * which BAR, how large its window is, whether it takes 64-bit addresses (and so the next BAR as
 * its upper half) and whether it is prefetchable (reads have no side effects). The address is
 * software's to choose: firmware assigns one when the machine is built ({@link BarAllocator}), an
 * OS may move it. I/O BARs are not modelled.
 *
 * @param index        0..5; a 64-bit BAR also occupies index + 1, so at most 4
 * @param size         a power of two, at least 16 bytes
 * @param is64Bit      memory type 10b (64-bit) instead of 00b (32-bit)
 * @param prefetchable the Prefetchable bit
 */
public record Bar(int index, long size, boolean is64Bit, boolean prefetchable) {

    public Bar {
        if (index < 0 || index >= PciConfigLayout.BAR_COUNT_TYPE0 || (is64Bit && index > PciConfigLayout.BAR_COUNT_TYPE0 - 2)) {
            throw new IllegalArgumentException(String.format("BAR%d: index must be 0..%d for a %s-bit BAR", index,
                    is64Bit ? PciConfigLayout.BAR_COUNT_TYPE0 - 2 : PciConfigLayout.BAR_COUNT_TYPE0 - 1, is64Bit ? 64 : 32));
        }
        if (size < PciConfigLayout.BAR_MIN_MEMORY_SIZE || Long.bitCount(size) != 1 || (!is64Bit && size > 1L << 31)) {
            throw new IllegalArgumentException(String.format("BAR%d: size %#x must be a power of two from 16 bytes%s",
                    index, size, is64Bit ? "" : " to 2 GiB (a 32-bit BAR)"));
        }
    }

    /** A 32-bit non-prefetchable memory BAR: registers. */
    public static Bar memory32(int index, long size) {
        return new Bar(index, size, false, false);
    }

    /** A 64-bit memory BAR. */
    public static Bar memory64(int index, long size, boolean prefetchable) {
        return new Bar(index, size, true, prefetchable);
    }

    /** The low bits of the BAR: memory space, type, prefetchable. */
    public int flags() {
        return (is64Bit ? PciConfigLayout.BAR_MEMORY_TYPE_64 : PciConfigLayout.BAR_MEMORY_TYPE_32)
                | (prefetchable ? PciConfigLayout.BAR_PREFETCHABLE : 0);
    }

    /** Writable bits of the low DWORD: the address bits at or above the size. */
    long lowWritableMask() {
        return ~(size - 1) & 0xFFFF_FFFFL & ~(long) PciConfigLayout.BAR_MEMORY_FLAGS_MASK;
    }

    /** Writable bits of the upper DWORD of a 64-bit BAR. */
    long highWritableMask() {
        return (~(size - 1) >>> 32) & 0xFFFF_FFFFL;
    }
}
