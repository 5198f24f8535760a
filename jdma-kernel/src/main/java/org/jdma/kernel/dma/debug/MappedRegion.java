package org.jdma.kernel.dma.debug;

import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;

/**
 * What one map call mapped, on the CPU side: its physical ranges (one per input segment), the unit
 * of ownership for the coherency sanitizer and of cache-line tracking. A scatterlist's device
 * segments are separate {@link DebugEntry}s sharing one region.
 */
final class MappedRegion {
    final DmaDevice device;
    final DmaMappingType type;
    final DmaDirection direction;
    final boolean skipCpuSync;
    final long[] starts;
    final long[] ends;
    /** The region's first entry: the one reports name. */
    DebugEntry first;
    boolean live = true;
    /** Sanitizer findings (bits) already reported in the current ownership period. */
    int sanitizerReported;

    MappedRegion(DmaDevice device, DmaMappingType type, DmaDirection direction, boolean skipCpuSync, long[] starts, long[] ends) {
        this.device = device;
        this.type = type;
        this.direction = direction;
        this.skipCpuSync = skipCpuSync;
        this.starts = starts;
        this.ends = ends;
    }
}
