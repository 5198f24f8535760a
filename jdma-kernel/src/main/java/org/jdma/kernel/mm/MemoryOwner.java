package org.jdma.kernel.mm;

/**
 * Who owns a byte of physical memory, as the kernel's allocators know it: a live allocation (a
 * block of frames, a DMA buffer, a pool block) or free memory, with the extent of either.
 *
 * @param base        first byte of the allocation (or of the free extent)
 * @param length      its bytes
 * @param live        false for free memory
 * @param description what it is, for messages ("DMA buffer ...", "block ... of dma pool ...")
 */
public record MemoryOwner(long base, long length, boolean live, String description) {

    public long end() {
        return base + length;
    }

    /** Whether {@code other} is the same allocation. */
    public boolean sameAs(MemoryOwner other) {
        return other != null && base == other.base && length == other.length && live == other.live;
    }

    @Override
    public String toString() {
        return description;
    }
}
