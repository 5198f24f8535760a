package org.jdma.kernel.mm;

/**
 * A range of physical addresses, [base, base + length).
 *
 * @param base   first physical address
 * @param length size in bytes, positive
 */
public record PhysicalRange(long base, long length) {

    public PhysicalRange {
        if (base < 0) {
            throw new IllegalArgumentException(String.format("physical range base %#x is negative", base));
        }
        if (length <= 0) {
            throw new IllegalArgumentException(String.format("physical range at %#x has length %d; it must be positive", base, length));
        }
        if (base + length < 0) {
            throw new IllegalArgumentException(String.format("physical range [%#x, +%#x) wraps past the top of the address space", base, length));
        }
    }

    /** One past the last address. */
    public long end() {
        return base + length;
    }

    public boolean contains(long address) {
        return address >= base && address < end();
    }

    @Override
    public String toString() {
        return String.format("[%#x, %#x)", base, end());
    }
}
