package org.jdma.kernel.pci;

/**
 * A Base Address Register as enumeration found it (PCI Local Bus Specification 3.0 §6.2.5.1): its
 * address as firmware assigned it and the size the sizing protocol gave.
 *
 * @param index        BAR number (a 64-bit BAR takes this index and the next)
 * @param base         bus address of the window
 * @param size         bytes, a power of two
 * @param io           an I/O BAR (else memory)
 * @param is64Bit      a 64-bit memory BAR
 * @param prefetchable the Prefetchable bit of a memory BAR
 */
public record PciBar(int index, long base, long size, boolean io, boolean is64Bit, boolean prefetchable) {

    /** Whether [address, address + length) lies inside the window. */
    public boolean contains(long address, long length) {
        return length >= 0 && Long.compareUnsigned(address, base) >= 0
                && Long.compareUnsigned(address - base + length, size) <= 0;
    }

    @Override
    public String toString() {
        return String.format("BAR%d %s %#x (%#x bytes)", index, io ? "io" : is64Bit ? "mem64" : "mem32", base, size);
    }
}
