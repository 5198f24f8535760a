package org.jdma.kernel.engine;

import org.jdma.kernel.mm.Zone;

/**
 * How many address bits a device drives (Linux {@code dma_set_mask}): it can reach [0, 2^bits).
 * Decides the zone a buffer's frames come from: masks below 64 bits take DMA32 frames (every
 * mask from 32 to 63 bits covers all of DMA32), 64-bit masks take NORMAL frames (the allocator may
 * fall back to DMA32). Masks below 32 bits are rejected: there is no zone for them.
 *
 * @param bits 32..64
 */
public record DmaMask(int bits) {

    public static final DmaMask BITS_32 = new DmaMask(32);
    public static final DmaMask BITS_64 = new DmaMask(64);

    public DmaMask {
        if (bits < 32 || bits > 64) {
            throw new IllegalArgumentException("DMA mask must be 32..64 bits, was " + bits);
        }
    }

    /** The highest address the device can drive. */
    public long limit() {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    public Zone zone() {
        return bits == 64 ? Zone.NORMAL : Zone.DMA32;
    }

    /** Whether all of [address, address + length) is reachable (unsigned; a wrapping range is not). */
    public boolean covers(long address, long length) {
        if (length == 0) {
            return Long.compareUnsigned(address, limit()) <= 0;
        }
        long last = address + length - 1;
        return Long.compareUnsigned(last, address) >= 0 && Long.compareUnsigned(last, limit()) <= 0;
    }
}
