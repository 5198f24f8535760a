package org.jdma.kernel.dma;

/**
 * The highest device address a device can drive: Linux's {@code dma_mask} and
 * {@code coherent_dma_mask} ({@code include/linux/dma-mapping.h}), usually {@code DMA_BIT_MASK(n)}
 * = 2^n - 1, compared unsigned. The one mask type of the kernel: the mapping layer checks device
 * addresses against it ({@link #covers}, Linux {@code dma_capable}) and derives from it the
 * physical limit its memory must lie below ({@link #value()} plus any bus offset).
 *
 * <p>Any non-zero value is a mask: a device that drives no address bit cannot do DMA. Whether the
 * platform can honour a small mask is {@link DmaApi#setMask}'s question: without an IOMMU, masks
 * from 24 bits up are honoured (below 32 bits, coherent memory comes from zone DMA, under 16 MiB,
 * as Linux serves them with {@code GFP_DMA}); a smaller one is refused with a warning that names
 * it, unless all RAM lies below it.
 *
 * @param value the highest address, unsigned ({@code -1L} for all 64 bits)
 */
public record DmaMask(long value) {

    /** Linux {@code DMA_BIT_MASK(32)}: the default of a PCI device before its driver sets one. */
    public static final DmaMask BITS_32 = bits(32);
    /** Linux {@code DMA_BIT_MASK(24)}: an ISA DMA channel's reach, the top of zone DMA (16 MiB). */
    public static final DmaMask BITS_24 = bits(24);
    /** Linux {@code DMA_BIT_MASK(64)}. */
    public static final DmaMask BITS_64 = bits(64);

    public DmaMask {
        if (value == 0) {
            throw new IllegalArgumentException("a DMA mask of 0 reaches no address");
        }
    }

    /** Linux {@code DMA_BIT_MASK(n)}: the low {@code n} bits, 1..64. */
    public static DmaMask bits(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("DMA mask bits must be 1..64, was " + n);
        }
        return new DmaMask(n == 64 ? -1L : (1L << n) - 1);
    }

    public static DmaMask of(long value) {
        return new DmaMask(value);
    }

    /** Address bits up to the highest one set (32 for {@link #BITS_32}, 64 for {@link #BITS_64}). */
    public int bitCount() {
        return 64 - Long.numberOfLeadingZeros(value);
    }

    /**
     * Whether all of [address, address + size) lies in [0, mask] (Linux {@code dma_capable}). A
     * range whose end wraps past 2^64 is inside no mask; a size of 0 only asks about
     * {@code address}; a negative size is inside nothing.
     */
    public boolean covers(long address, long size) {
        if (size < 0) {
            return false;
        }
        if (size == 0) {
            return Long.compareUnsigned(address, value) <= 0;
        }
        long last = address + size - 1;
        return Long.compareUnsigned(last, address) >= 0 && Long.compareUnsigned(last, value) <= 0;
    }

    /** Whether every address this mask reaches, {@code other} reaches too (unsigned). */
    public boolean within(DmaMask other) {
        return Long.compareUnsigned(value, other.value) <= 0;
    }

    @Override
    public String toString() {
        return String.format("%#x", value);
    }
}
