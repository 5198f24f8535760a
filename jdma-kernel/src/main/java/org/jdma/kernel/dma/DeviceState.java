package org.jdma.kernel.dma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdma.kernel.iommu.IommuDomain;

/**
 * What the layer keeps per attached device: its backend, its IOMMU domain (null when none
 * translates), and the live mappings and coherent allocations, so that an unmap releases exactly
 * what the map took and a detach can release everything.
 */
final class DeviceState {

    /** A live mapping as the layer recorded it. */
    sealed interface Live permits Single, SgRange { long dma(); }

    /** One streaming mapping (mapSingle/mapPage, or one entry of a non-merged scatterlist). */
    record Single(long dma, long size, DmaDirection direction) implements Live { }

    /** A scatterlist mapped into one IOVA range; {@code dma} is the first device segment's address. */
    record SgRange(long dma, long iova, long iovaSize, DmaDirection direction) implements Live { }

    /** A coherent allocation; {@code iovaSize} is 0 when no IOMMU maps it. */
    record Coherent(long physical, long dma, long size, int order, long iovaSize) { }

    final DmaDevice device;
    final Backend backend;
    final IommuDomain domain;
    /** The layer that keeps this record (a device may be attached to more than one). */
    final Object layer;

    private final LiveMappings live = new LiveMappings();
    private final Map<Long, Coherent> coherent = new HashMap<>();

    DeviceState(Object layer, DmaDevice device, Backend backend, IommuDomain domain) {
        this.layer = layer;
        this.device = device;
        this.backend = backend;
        this.domain = domain;
    }

    synchronized void add(Live m) {
        live.add(m);
    }

    /** Removes and returns the oldest live mapping at {@code dma}, or null. */
    synchronized Live take(long dma) {
        return live.take(dma);
    }

    synchronized int liveCount() {
        return live.size();
    }

    /** Takes every live mapping, by device address (unsigned), the oldest first at one address. */
    synchronized List<Live> drainLive() {
        return live.drain();
    }

    synchronized void addCoherent(Coherent c) {
        coherent.put(c.physical(), c);
    }

    synchronized Coherent takeCoherent(long physical) {
        return coherent.remove(physical);
    }

    synchronized int coherentCount() {
        return coherent.size();
    }

    synchronized List<Coherent> drainCoherent() {
        List<Coherent> all = new ArrayList<>(coherent.values());
        coherent.clear();
        return all;
    }
}
