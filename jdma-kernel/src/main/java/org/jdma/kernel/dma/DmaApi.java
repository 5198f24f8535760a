package org.jdma.kernel.dma;

import java.util.Optional;
import java.util.Set;
import org.jdma.kernel.mm.DmaMemory;

/**
 * The DMA-mapping API a driver programs against (Linux {@code include/linux/dma-mapping.h}).
 * Every call has the same shape: validate the arguments, dispatch to the backend that serves the
 * device (direct, IOMMU, bounce), then call the debug hook. The checker
 * ({@code dma.debug}) is a decorator implementing this same interface.
 *
 * <p>Addresses: {@code physical} arguments are where the CPU reaches the memory (the kernel's
 * direct map makes this the physical address); returned {@code long}s are device (bus) addresses,
 * which differ from physical ones behind an IOMMU, with a bus offset, or when bounced.
 *
 * <p>Errors: a mapping that cannot be made returns {@link #DMA_MAPPING_ERROR}; the driver must
 * test every returned address with {@link #mappingError} (the checker reports a driver that does
 * not). Arguments that are wrong whatever the machine state (negative size, direction NONE, a
 * device the layer does not know) throw {@link IllegalArgumentException} naming the argument.
 * So does a streaming map of memory that includes a frame the frame allocator holds free: nobody
 * owns it, and the allocator would hand it to someone else (a page table, another buffer) while the
 * device can still reach it. Memory the allocator does not manage (a device's BAR) is not judged.
 * Misuse that Linux only catches with dma-debug (unmapping what was never mapped, wrong size) is
 * reported by the checker; without it the call is best effort, as in Linux.
 */
public interface DmaApi {

    /** Linux {@code DMA_MAPPING_ERROR}: (dma_addr_t)~0. */
    long DMA_MAPPING_ERROR = -1L;

    /** Registers a device with the layer (Linux: probe/bus notifier) and picks its backend. */
    void attach(DmaDevice device);

    /**
     * Detaches the device (Linux: driver unbind). Live mappings are a leak: the checker reports
     * each one; the layer releases them either way.
     */
    void detach(DmaDevice device);

    /** Linux {@code dma_set_mask}: false (mask unchanged, and a warning naming the mask and why) when the platform cannot honour it. */
    boolean setMask(DmaDevice device, DmaMask mask);

    /** Linux {@code dma_set_coherent_mask}. */
    boolean setCoherentMask(DmaDevice device, DmaMask mask);

    /** Linux {@code dma_mapping_error}: whether {@code dmaAddress} is the error value. */
    boolean mappingError(DmaDevice device, long dmaAddress);

    /**
     * Linux {@code dma_alloc_coherent}: zeroed memory of {@code size} bytes that CPU and device
     * see alike without syncs (uncached on a non-coherent machine), inside the coherent mask.
     * Null when no memory can be had.
     */
    CoherentBuffer allocCoherent(DmaDevice device, long size);

    /** Linux {@code dma_free_coherent}. */
    void freeCoherent(DmaDevice device, long size, long physical, long dmaAddress);

    /** Linux {@code dma_map_single}: maps [physical, physical + size) for one transfer. */
    long mapSingle(DmaDevice device, long physical, long size, DmaDirection direction, Set<DmaAttr> attrs);

    /** Linux {@code dma_unmap_single}. */
    void unmapSingle(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs);

    /** Linux {@code dma_map_page}: maps [pagePhysical + offset, + size). */
    long mapPage(DmaDevice device, long pagePhysical, long offset, long size, DmaDirection direction, Set<DmaAttr> attrs);

    /** Linux {@code dma_unmap_page}. */
    void unmapPage(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs);

    /**
     * Linux {@code dma_map_sg}: maps the first {@code nents} entries; returns the number of device
     * segments written into the list (may be fewer than nents when segments merged), 0 on failure
     * (nothing stays mapped).
     */
    int mapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs);

    /** Linux {@code dma_unmap_sg}: {@code nents} is the count passed to mapSg, not the count it returned. */
    void unmapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs);

    /** Linux {@code dma_sync_single_for_cpu}: ownership goes to the CPU (invalidate / copy back from a bounce buffer). */
    void syncSingleForCpu(DmaDevice device, long dmaAddress, long size, DmaDirection direction);

    /** Linux {@code dma_sync_single_for_device}: ownership goes to the device (clean / copy into a bounce buffer). */
    void syncSingleForDevice(DmaDevice device, long dmaAddress, long size, DmaDirection direction);

    /** Linux {@code dma_sync_sg_for_cpu}; {@code nents} as passed to mapSg. */
    void syncSgForCpu(DmaDevice device, ScatterList sg, int nents, DmaDirection direction);

    /** Linux {@code dma_sync_sg_for_device}. */
    void syncSgForDevice(DmaDevice device, ScatterList sg, int nents, DmaDirection direction);

    /** Largest size one streaming mapping may have (Linux {@code dma_max_mapping_size}: 256 KiB when bounced). */
    long maxMappingSize(DmaDevice device);

    /**
     * The memory this API maps and allocates from, when it knows it: its pins say which bytes live
     * mappings hold, its allocators who owns which bytes (DMA pools and the checker ask). Empty by
     * default; a decorator returns its delegate's.
     */
    default Optional<DmaMemory> memory() {
        return Optional.empty();
    }
}
