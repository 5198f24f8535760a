package org.jdma.kernel.dma.debug;

import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;

/**
 * One live mapping as the checker tracks it (Linux {@code struct dma_debug_entry}): a streaming
 * mapping, one device segment of a mapped scatterlist, or a coherent allocation.
 */
final class DebugEntry {
    final DmaDevice device;
    final long dmaAddress;
    final long size;
    final long physical;
    final DmaMappingType type;
    final DmaDirection direction;
    final int sgCallEntries;
    final int sgMappedEntries;
    /** Where the mapping was made (a {@code Throwable} whose stack is decoded only when a report needs it), or null. */
    final Throwable origin;
    final MappedRegion region;
    MapErrorState mapError;
    /** Where the entry was unmapped or freed (decoded only when a report needs it); null while live or not captured. */
    Throwable unmapSite;
    /** Device-side findings already reported about this entry (bits: 1 read, 2 write), so a loop reports once. */
    int deviceReported;

    DebugEntry(DmaDevice device, long dmaAddress, long size, long physical, DmaMappingType type, DmaDirection direction,
               int sgCallEntries, int sgMappedEntries, MapErrorState mapError, Throwable origin, MappedRegion region) {
        this.device = device;
        this.dmaAddress = dmaAddress;
        this.size = size;
        this.physical = physical;
        this.type = type;
        this.direction = direction;
        this.sgCallEntries = sgCallEntries;
        this.sgMappedEntries = sgMappedEntries;
        this.mapError = mapError;
        this.origin = origin;
        this.region = region;
    }

    DmaMapping snapshot() {
        return new DmaMapping(device.name(), dmaAddress, size, physical, type, direction, sgCallEntries, sgMappedEntries, mapError);
    }
}
