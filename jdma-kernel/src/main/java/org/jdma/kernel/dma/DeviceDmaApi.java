package org.jdma.kernel.dma;

import java.util.Objects;
import java.util.Set;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * The DMA API bound to one device: what a driver holds. The calls are Linux's {@code dma_*}
 * ({@code include/linux/dma-mapping.h}) with the {@code struct device} argument fixed, going to a
 * {@link DmaApi} that may be the checker ({@code dma.debug}) in front of the mapping layer; and two
 * owning handles that say who owns the memory and release it on {@code close}:
 * <ul>
 *   <li>{@link #allocCoherent}: a {@link CoherentAllocation}, memory CPU and device share for its
 *       whole life without syncs (descriptor rings, completion records); close frees it;</li>
 *   <li>{@link #mapStreaming}: a {@link StreamingMapping} of existing memory for a transfer; the
 *       device owns the buffer between map (or {@code syncForDevice}) and {@code syncForCpu} (or
 *       unmap); close unmaps.</li>
 * </ul>
 * The primitive calls ({@link #mapSingle}, {@link #unmapSingle}, ...) return raw device addresses
 * and allocate nothing of their own; a driver's hot path uses them, testing each address with
 * {@link #mappingError}. The handle methods test for the driver and throw {@link DmaException}.
 *
 * <p>Thread-safe as the underlying {@link DmaApi} is; a handle is used by one thread at a time.
 */
public final class DeviceDmaApi {

    private static final Set<DmaAttr> NO_ATTRS = Set.of();

    private final DmaApi api;
    private final DmaDevice device;
    private final DmaInFlight inFlight;

    /** The API of {@code device}, which must be attached to {@code api}. */
    public DeviceDmaApi(DmaApi api, DmaDevice device) {
        this.api = Objects.requireNonNull(api, "api");
        this.device = Objects.requireNonNull(device, "device");
        this.inFlight = new DmaInFlight(device, api.memory());
    }

    /** The DMA API this device's calls go to (the checker, when the kernel runs one). */
    public DmaApi api() {
        return api;
    }

    public DmaDevice device() {
        return device;
    }

    /**
     * Map only while in use: what a ring driver holds while the device works on a descriptor, so
     * that only mapped addresses reach the device and no mapping goes away under it.
     */
    public DmaInFlight inFlight() {
        return inFlight;
    }

    // ---- masks -----------------------------------------------------------------------------------

    /** Linux {@code dma_set_mask}: false (mask unchanged) when the platform cannot honour it. */
    public boolean setMask(DmaMask mask) {
        return api.setMask(device, mask);
    }

    /** Linux {@code dma_set_coherent_mask}. */
    public boolean setCoherentMask(DmaMask mask) {
        return api.setCoherentMask(device, mask);
    }

    /** Linux {@code dma_set_mask_and_coherent}: both, or false with the coherent mask unchanged. */
    public boolean setMaskAndCoherent(DmaMask mask) {
        return setMask(mask) && setCoherentMask(mask);
    }

    // ---- Linux's calls, device bound ---------------------------------------------------------------

    /** Linux {@code dma_map_single}; test the result with {@link #mappingError}. */
    public long mapSingle(long physical, long size, DmaDirection direction) {
        return api.mapSingle(device, physical, size, direction, NO_ATTRS);
    }

    public long mapSingle(long physical, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        return api.mapSingle(device, physical, size, direction, attrs);
    }

    /** Linux {@code dma_unmap_single}. */
    public void unmapSingle(long dmaAddress, long size, DmaDirection direction) {
        api.unmapSingle(device, dmaAddress, size, direction, NO_ATTRS);
    }

    public void unmapSingle(long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        api.unmapSingle(device, dmaAddress, size, direction, attrs);
    }

    /** Linux {@code dma_mapping_error}. */
    public boolean mappingError(long dmaAddress) {
        return api.mappingError(device, dmaAddress);
    }

    /** Linux {@code dma_map_sg}: the number of device segments, 0 on failure. */
    public int mapSg(ScatterList sg, int nents, DmaDirection direction) {
        return api.mapSg(device, sg, nents, direction, NO_ATTRS);
    }

    /** Linux {@code dma_unmap_sg}, with the {@code nents} given to mapSg. */
    public void unmapSg(ScatterList sg, int nents, DmaDirection direction) {
        api.unmapSg(device, sg, nents, direction, NO_ATTRS);
    }

    /** Linux {@code dma_sync_single_for_cpu}. */
    public void syncSingleForCpu(long dmaAddress, long size, DmaDirection direction) {
        api.syncSingleForCpu(device, dmaAddress, size, direction);
    }

    /** Linux {@code dma_sync_single_for_device}. */
    public void syncSingleForDevice(long dmaAddress, long size, DmaDirection direction) {
        api.syncSingleForDevice(device, dmaAddress, size, direction);
    }

    /** Linux {@code dma_sync_sg_for_cpu}. */
    public void syncSgForCpu(ScatterList sg, int nents, DmaDirection direction) {
        api.syncSgForCpu(device, sg, nents, direction);
    }

    /** Linux {@code dma_sync_sg_for_device}. */
    public void syncSgForDevice(ScatterList sg, int nents, DmaDirection direction) {
        api.syncSgForDevice(device, sg, nents, direction);
    }

    /** Linux {@code dma_max_mapping_size}. */
    public long maxMappingSize() {
        return api.maxMappingSize(device);
    }

    // ---- owning handles -----------------------------------------------------------------------

    /**
     * Linux {@code dma_alloc_coherent}: {@code size} zeroed bytes CPU and device share (uncached on
     * a non-coherent machine), inside the coherent mask.
     *
     * @throws DmaException {@link DmaError.NoMemory} when no memory can be had (retryable)
     * @throws IllegalArgumentException when size is not positive
     */
    public CoherentAllocation allocCoherent(long size) {
        CoherentBuffer b = api.allocCoherent(device, size);
        if (b == null) {
            throw new DmaException(new DmaError.NoMemory(String.format("%d bytes of coherent memory for %s (coherent mask %s)",
                    size, device, device.coherentMask())));
        }
        return new CoherentAllocation(this, b.physical(), b.dmaAddress(), b.size());
    }

    /**
     * Linux {@code dma_map_single} of [physical, physical + size), as a handle: the device owns
     * the memory from now until {@link StreamingMapping#syncForCpu()} or close.
     *
     * @throws DmaException {@link DmaError.MappingFailed} when no device address can be made
     *         (no IOVA or bounce space; retryable)
     */
    public StreamingMapping mapStreaming(long physical, long size, DmaDirection direction) {
        return mapStreaming(physical, size, direction, NO_ATTRS);
    }

    /** As {@link #mapStreaming(long, long, DmaDirection)} with attributes (kept for the unmap). */
    public StreamingMapping mapStreaming(long physical, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        long dma = api.mapSingle(device, physical, size, direction, attrs);
        if (api.mappingError(device, dma)) {
            throw new DmaException(new DmaError.MappingFailed(String.format("[%#x, +%#x) %s for %s", physical, size, direction, device)));
        }
        return new StreamingMapping(this, physical, dma, size, direction, attrs);
    }

    /** The first {@code length} bytes of {@code buffer} (at least one), as a streaming mapping. */
    public StreamingMapping mapStreaming(DmaBuffer buffer, long length, DmaDirection direction) {
        Objects.requireNonNull(buffer, "buffer");
        if (length < 0 || length > buffer.length()) {
            throw new IndexOutOfBoundsException(String.format("cannot map %d bytes of %s", length, buffer));
        }
        return mapStreaming(buffer.physicalAddress(), Math.max(length, 1), direction);
    }

    @Override
    public String toString() {
        return "DeviceDmaApi[" + device + " via " + api.getClass().getSimpleName() + "]";
    }
}
