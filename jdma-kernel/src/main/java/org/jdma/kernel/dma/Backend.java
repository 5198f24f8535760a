package org.jdma.kernel.dma;

import java.util.Optional;

/**
 * One way of giving a device access to memory (Linux {@code struct dma_map_ops}): the layer has
 * validated every argument before a backend sees it. Backends record what they map in the
 * device's {@link DeviceState} and release exactly that.
 */
sealed interface Backend permits DirectBackend, IommuBackend {

    String name();

    /**
     * Linux {@code dma_supported}, with the reason: empty when {@code mask} can be honoured for
     * this device, else why not (the layer refuses the mask and warns with this).
     */
    Optional<String> maskRefusal(DeviceState st, DmaMask mask);

    long map(DeviceState st, long phys, long size, DmaDirection direction, boolean skipCpuSync);

    /**
     * Unmaps the mapping at device address {@code dma} (Linux {@code dma_unmap_phys}): the caller's
     * size and direction say what to sync for the CPU; whatever the backend recorded for the
     * mapping says what to release. An address the backend holds nothing for is synced only.
     */
    void unmap(DeviceState st, long dma, long size, DmaDirection direction, boolean skipCpuSync);

    /** Releases a recorded mapping, already removed from the state, without syncing (detach). */
    void release(DeviceState st, DeviceState.Live m);

    int mapSg(DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync);

    void unmapSg(DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync);

    void syncForCpu(DeviceState st, long dma, long size, DmaDirection direction);

    void syncForDevice(DeviceState st, long dma, long size, DmaDirection direction);

    void syncSgForCpu(DeviceState st, ScatterList sg, int nents, DmaDirection direction);

    void syncSgForDevice(DeviceState st, ScatterList sg, int nents, DmaDirection direction);

    /** Null when no memory fits the coherent mask. */
    CoherentBuffer allocCoherent(DeviceState st, long size);

    void freeCoherent(DeviceState st, DeviceState.Coherent c);

    long maxMappingSize(DeviceState st);
}
