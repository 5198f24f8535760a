package org.jdma.kernel.mm;

/**
 * Allocates physically contiguous runs of 4 KiB frames. Addresses are physical.
 *
 * <p>An allocation of {@code 2^order} frames is aligned to its own size and lies in one zone. A
 * request is served from the zone it names or, when that zone has no block large enough, from a
 * lower zone ({@link Zone#fallbackOrder()}: NORMAL, then DMA32, then DMA), as Linux falls back
 * along its zonelist; never from a higher zone. A request for DMA32 is therefore only ever served
 * below 4 GiB, and a request for DMA only below 16 MiB.
 */
public interface FrameAllocator {

    int FRAME_SHIFT = 12;
    int FRAME_SIZE = 1 << FRAME_SHIFT;

    /**
     * Allocates {@code 2^order} contiguous frames.
     *
     * @return the physical address of the first frame
     * @throws OutOfFramesException when no free block of that order exists in the allowed zones
     * @throws IllegalArgumentException when order is negative or above {@link #maxOrder()}
     */
    long allocate(int order, Zone zone);

    /**
     * Allocates {@code 2^order} contiguous frames that the kernel keeps for its own structures (the
     * IOMMU's tables and queues, the bounce pool): until they are freed, the mapping layer refuses to map them for a
     * device, whoever asks. An allocator that cannot tell them apart returns an ordinary block.
     *
     * @return the physical address of the first frame
     * @throws OutOfFramesException as {@link #allocate}
     */
    default long allocateForKernel(int order, Zone zone) {
        return allocate(order, zone);
    }

    /**
     * Allocates the smallest power-of-two run of frames that holds {@code bytes} bytes.
     *
     * @return the physical address of the first frame
     */
    long allocateBytes(long bytes, Zone zone);

    /**
     * Frees a block returned by {@link #allocate} (same address, same order).
     *
     * @throws IllegalStateException naming the address when the block is already free (double free)
     *         or was never allocated with that order
     */
    void free(long physical, int order);

    /** The order {@link #allocateBytes} uses for {@code bytes}. */
    static int orderFor(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation size must be positive, was " + bytes);
        }
        long frames = (bytes + FRAME_SIZE - 1) >>> FRAME_SHIFT;
        return 64 - Long.numberOfLeadingZeros(frames - 1);
    }

    int maxOrder();

    /** Counters of all zones together. */
    FrameStats stats();

    /** Counters of {@code zone} alone. */
    ZoneStats zoneStats(Zone zone);
}
