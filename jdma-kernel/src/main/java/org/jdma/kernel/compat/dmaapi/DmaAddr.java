package org.jdma.kernel.compat.dmaapi;

import java.util.Optional;

/**
 * A device (bus) address: what a device is told to read or write, never something the CPU can
 * dereference. Nothing in the kernel takes a {@code DmaAddr} where it takes a CPU address, so a
 * driver cannot mistake one for the other (behind an IOMMU, a bus offset or a bounce buffer the two
 * differ). Immutable; compares unsigned, as the 64-bit address it stands for.
 *
 * <p>The {@code dma-api} crate's {@code DmaAddr(u64)}: {@code as_u64} is {@link #asLong()}, {@code checked_add} is
 * {@link #checkedAdd(long)}, and {@code Display} is {@link #toString()} ({@code 0x1000}).
 */
public final class DmaAddr implements Comparable<DmaAddr> {

    private final long value;

    private DmaAddr(long value) {
        this.value = value;
    }

    /** The address {@code value}, read as an unsigned 64-bit number. */
    public static DmaAddr of(long value) {
        return new DmaAddr(value);
    }

    /** The 64 bits, to write into a device register or descriptor. */
    public long asLong() {
        return value;
    }

    /**
     * This address plus {@code offset} (unsigned), or empty when the sum passes 2^64 - 1.
     *
     * @throws IllegalArgumentException when offset is negative: an unsigned offset cannot be
     */
    public Optional<DmaAddr> checkedAdd(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        long sum = value + offset;
        return Long.compareUnsigned(sum, value) < 0 ? Optional.empty() : Optional.of(new DmaAddr(sum));
    }

    @Override
    public int compareTo(DmaAddr other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DmaAddr other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** Hex as the crate prints it ({@code {:#X}}): {@code 0x} then upper-case digits. */
    @Override
    public String toString() {
        return "0x" + Long.toHexString(value).toUpperCase(java.util.Locale.ROOT);
    }
}
