package org.jdma.kernel.mm;

/**
 * A snapshot of one zone's counters (what Linux shows per zone in {@code /proc/zoneinfo}).
 *
 * @param zone                the zone
 * @param managedFrames       frames of the zone under management
 * @param freeFrames          frames of the zone free now
 * @param allocations         blocks the zone handed out, for requests naming it or a higher zone
 * @param fallbackAllocations of those, blocks handed out for a request naming a higher zone
 *                            (a NORMAL request served from DMA32, ...)
 * @param frees               blocks returned to the zone
 * @param failures            requests naming this zone that found no block in it nor in any zone
 *                            it may fall back to
 */
public record ZoneStats(Zone zone, long managedFrames, long freeFrames, long allocations, long fallbackAllocations,
                        long frees, long failures) {

    public long allocatedFrames() {
        return managedFrames - freeFrames;
    }
}
