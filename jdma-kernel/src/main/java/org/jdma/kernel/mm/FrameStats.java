package org.jdma.kernel.mm;

/**
 * A snapshot of a frame allocator's counters, all zones together ({@link FrameAllocator#zoneStats}
 * has them per zone).
 *
 * @param managedFrames   frames under management (RAM from the memory map, minus reserved frames)
 * @param freeFrames      frames free now, all zones
 * @param freeDma32Frames frames free now below 4 GiB (zones DMA and DMA32): what a device with a
 *                        32-bit DMA mask can be given
 * @param allocations     successful allocate calls
 * @param frees           successful free calls
 * @param failures        allocate calls that found no block
 */
public record FrameStats(long managedFrames, long freeFrames, long freeDma32Frames, long allocations, long frees, long failures) {
    public long allocatedFrames() {
        return managedFrames - freeFrames;
    }
}
