package org.jdma.kernel.dma;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A streaming mapping of existing memory for one device (Linux {@code dma_map_single}), as a
 * handle that says who owns the buffer: the device, from the map (or {@link #syncForDevice()})
 * until {@link #syncForCpu()} or {@link #close()}; the CPU in between. {@link #close()} unmaps
 * ({@code dma_unmap_single}) with the size, direction and attributes it was mapped with, through
 * the same DMA API, so the checker sees it; closing twice does nothing, a sync after close throws.
 *
 * <p>Ownership changes are the syncs' business: on a non-coherent machine {@code syncForCpu}
 * invalidates (and copies back from a bounce buffer) and {@code syncForDevice} cleans (and copies
 * into it), by direction, as the mapping layer does for every mapping.
 */
public final class StreamingMapping implements AutoCloseable {

    private final DeviceDmaApi owner;
    private final long physical;
    private final long dmaAddress;
    private final long size;
    private final DmaDirection direction;
    private final Set<DmaAttr> attrs;
    private final AtomicBoolean closed = new AtomicBoolean();

    StreamingMapping(DeviceDmaApi owner, long physical, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        this.owner = owner;
        this.physical = physical;
        this.dmaAddress = dmaAddress;
        this.size = size;
        this.direction = direction;
        this.attrs = Set.copyOf(Objects.requireNonNull(attrs, "attrs"));
    }

    /** Where the CPU reaches the original memory. */
    public long physical() {
        return physical;
    }

    /** What the device is told (a bounce slot's address when the layer bounced the buffer). */
    public long dmaAddress() {
        return dmaAddress;
    }

    public long size() {
        return size;
    }

    public DmaDirection direction() {
        return direction;
    }

    public DmaDevice device() {
        return owner.device();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Ownership to the CPU: Linux {@code dma_sync_single_for_cpu} of the whole mapping. */
    public void syncForCpu() {
        syncForCpu(0, size);
    }

    /** Ownership of [offset, offset + length) to the CPU ({@code dma_sync_single_range_for_cpu}). */
    public void syncForCpu(long offset, long length) {
        checkRange(offset, length);
        owner.syncSingleForCpu(dmaAddress + offset, length, direction);
    }

    /** Ownership back to the device: Linux {@code dma_sync_single_for_device} of the whole mapping. */
    public void syncForDevice() {
        syncForDevice(0, size);
    }

    /** Ownership of [offset, offset + length) back to the device ({@code dma_sync_single_range_for_device}). */
    public void syncForDevice(long offset, long length) {
        checkRange(offset, length);
        owner.syncSingleForDevice(dmaAddress + offset, length, direction);
    }

    /** Unmaps: ownership returns to the CPU for good (with the for-CPU sync unless mapped with SKIP_CPU_SYNC). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.unmapSingle(dmaAddress, size, direction, attrs);
        }
    }

    private void checkRange(long offset, long length) {
        if (closed.get()) {
            throw new IllegalStateException(this + " was unmapped");
        }
        if (offset < 0 || length <= 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(String.format("sync of [%d, +%d) outside the %d-byte mapping %s", offset, length, size, this));
        }
    }

    @Override
    public String toString() {
        return String.format("StreamingMapping[%s: phys %#x -> dma %#x, %d bytes, %s%s]", owner.device().name(), physical, dmaAddress,
                size, direction, closed.get() ? ", unmapped" : "");
    }
}
