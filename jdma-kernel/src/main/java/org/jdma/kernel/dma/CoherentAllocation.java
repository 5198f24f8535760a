package org.jdma.kernel.dma;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Coherent DMA memory owned by a driver (Linux {@code dma_alloc_coherent}): the CPU reaches it at
 * {@link #physical()}, the device at {@link #dmaAddress()}, and each sees the other's writes
 * without syncs for as long as the allocation lives (on a non-coherent machine it is uncached).
 * Descriptor rings and completion records live here. {@link #close()} frees it
 * ({@code dma_free_coherent}) through the same DMA API that allocated it, so the checker sees the
 * free; closing twice does nothing.
 */
public final class CoherentAllocation implements AutoCloseable {

    private final DeviceDmaApi owner;
    private final long physical;
    private final long dmaAddress;
    private final long size;
    private final AtomicBoolean closed = new AtomicBoolean();

    CoherentAllocation(DeviceDmaApi owner, long physical, long dmaAddress, long size) {
        this.owner = owner;
        this.physical = physical;
        this.dmaAddress = dmaAddress;
        this.size = size;
    }

    /** Where the CPU reaches the memory (the kernel's direct map makes it the physical address). */
    public long physical() {
        return physical;
    }

    /** What the device is told: physical, plus a bus offset, or an IOVA behind an IOMMU. */
    public long dmaAddress() {
        return dmaAddress;
    }

    /** Bytes asked for (the memory behind it is whole frames). */
    public long size() {
        return size;
    }

    public DmaDevice device() {
        return owner.device();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Frees the memory; the device must no longer use it.
     *
     * @throws org.jdma.kernel.mm.MemoryInUseException when another live mapping (a streaming map of
     *         these bytes) still covers it: the allocation stays open and can be closed again later
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                owner.api().freeCoherent(owner.device(), size, physical, dmaAddress);
            } catch (RuntimeException e) {
                closed.set(false);
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return String.format("CoherentAllocation[%s: phys %#x, dma %#x, %d bytes%s]", owner.device().name(), physical, dmaAddress,
                size, closed.get() ? ", freed" : "");
    }
}
