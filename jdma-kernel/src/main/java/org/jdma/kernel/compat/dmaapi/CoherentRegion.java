package org.jdma.kernel.compat.dmaapi;

import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;

/**
 * Coherent memory behind a {@link DArray} or {@link DBox} (the {@code dma-api} crate's {@code DCommon}): zeroed at
 * allocation, then flushed and invalidated so no stale line of a previous owner survives; syncs
 * by the direction it was made with.
 */
final class CoherentRegion {

    final DmaContainers dma;
    final DmaHandle.Coherent handle;
    final DmaDirection direction;

    private CoherentRegion(DmaContainers dma, DmaHandle.Coherent handle, DmaDirection direction) {
        this.dma = dma;
        this.handle = handle;
        this.direction = direction;
    }

    static CoherentRegion zeroed(DmaContainers dma, DmaLayout layout, DmaDirection direction) throws DmaException {
        DmaDirection.requireMappable(direction);
        DmaHandle.Coherent handle = dma.allocCoherent(layout);
        long size = layout.size();
        if (size > 0) {
            dma.ops().cpu().fill(handle.cpuAddr(), size, (byte) 0);
            dma.ops().flushInvalidate(handle.cpuAddr(), size);
        }
        return new CoherentRegion(dma, handle, direction);
    }

    long cpuAddr() {
        return handle.cpuAddr();
    }

    long size() {
        return handle.size();
    }

    void prepareRead(long offset, long size) {
        dma.ops().prepareRead(handle, offset, size, direction);
    }

    void confirmWrite(long offset, long size) {
        dma.ops().confirmWrite(handle, offset, size, direction);
    }

    /** Gives the memory back, whatever its size (the crate leaked zero-sized allocations). */
    void free() {
        dma.ops().deallocCoherent(handle);
    }
}
