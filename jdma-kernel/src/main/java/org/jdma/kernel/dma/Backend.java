package org.jdma.kernel.dma;

/**
 * One way of giving a device access to memory (Linux {@code struct dma_map_ops}): the layer has
 * validated every argument before a backend sees it. Backends record what they map in the
 * device's {@link DeviceState} and release exactly that.
 */
sealed interface Backend permits DirectBackend, IommuBackend {

    String name();

    /** Linux {@code dma_supported}: whether {@code mask} can be honoured for this device. */
    boolean supportsMask(DeviceState st, DmaMask mask);

    long map(DeviceState st, long phys, long size, DmaDirection direction, boolean skipCpuSync);

    /** Unmaps the live mapping {@code m}, already removed from the state. */
    void unmap(DeviceState st, DeviceState.Live m, boolean skipCpuSync);

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
