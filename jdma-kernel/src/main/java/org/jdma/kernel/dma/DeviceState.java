package org.jdma.kernel.dma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.locking.SpinLock;

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

    /** Guards the live mappings and coherent allocations (short sections: one atomic operation each). */
    private final SpinLock lock = new SpinLock();
    private final LiveMappings live = new LiveMappings();
    private final Map<Long, Coherent> coherent = new HashMap<>();

    DeviceState(Object layer, DmaDevice device, Backend backend, IommuDomain domain) {
        this.layer = layer;
        this.device = device;
        this.backend = backend;
        this.domain = domain;
    }

    void add(Live m) {
        lock.lock();
        try {
            live.add(m);
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns the oldest live mapping at {@code dma}, or null. */
    Live take(long dma) {
        lock.lock();
        try {
            return live.take(dma);
        } finally {
            lock.unlock();
        }
    }

    int liveCount() {
        lock.lock();
        try {
            return live.size();
        } finally {
            lock.unlock();
        }
    }

    /** Takes every live mapping, by device address (unsigned), the oldest first at one address. */
    List<Live> drainLive() {
        lock.lock();
        try {
            return live.drain();
        } finally {
            lock.unlock();
        }
    }

    void addCoherent(Coherent c) {
        lock.lock();
        try {
            coherent.put(c.physical(), c);
        } finally {
            lock.unlock();
        }
    }

    Coherent takeCoherent(long physical) {
        lock.lock();
        try {
            return coherent.remove(physical);
        } finally {
            lock.unlock();
        }
    }

    int coherentCount() {
        lock.lock();
        try {
            return coherent.size();
        } finally {
            lock.unlock();
        }
    }

    List<Coherent> drainCoherent() {
        lock.lock();
        try {
            List<Coherent> all = new ArrayList<>(coherent.values());
            coherent.clear();
            return all;
        } finally {
            lock.unlock();
        }
    }
}
