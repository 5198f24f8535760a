package org.jdma.kernel.dma;

/** DMA mask arithmetic (Linux {@code dma_capable}), unsigned throughout. */
public final class DmaMasks {

    private DmaMasks() { }

    /** Linux {@code DMA_BIT_MASK(32)}: devices that drive 32 address bits. */
    public static final long BITS_32 = 0xFFFF_FFFFL;
    /** Linux {@code DMA_BIT_MASK(64)}. */
    public static final long BITS_64 = -1L;

    /**
     * Whether all of [address, address + size) lies in [0, mask]. A range whose end wraps past
     * 2^64 is not inside any mask; a size of 0 only asks whether {@code address} is.
     */
    public static boolean covers(long mask, long address, long size) {
        if (size < 0) {
            return false;
        }
        if (size == 0) {
            return Long.compareUnsigned(address, mask) <= 0;
        }
        long last = address + size - 1;
        return Long.compareUnsigned(last, address) >= 0 && Long.compareUnsigned(last, mask) <= 0;
    }
}
