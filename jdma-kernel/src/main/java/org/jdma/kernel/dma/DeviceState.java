package org.jdma.kernel.dma;

import java.util.ArrayDeque;
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

    private final Map<Long, ArrayDeque<Live>> live = new HashMap<>();
    private final Map<Long, Coherent> coherent = new HashMap<>();

    DeviceState(Object layer, DmaDevice device, Backend backend, IommuDomain domain) {
        this.layer = layer;
        this.device = device;
        this.backend = backend;
        this.domain = domain;
    }

    /**
     * The key of device address {@code dma} in {@link #live}: a one-to-one mix. Long's own hash
     * keeps the zero low bits of page-aligned addresses, so IOVAs handed out next to each other
     * shared a few buckets, which then turned into trees (a tree walk per map and unmap).
     */
    private static Long key(long dma) {
        long h = dma * 0x9E37_79B9_7F4A_7C15L;
        return h ^ (h >>> 32);
    }

    synchronized void add(Live m) {
        live.computeIfAbsent(key(m.dma()), k -> new ArrayDeque<>()).addLast(m);
    }

    /** Removes and returns the oldest live mapping at {@code dma}, or null. */
    synchronized Live take(long dma) {
        Long k = key(dma);
        ArrayDeque<Live> q = live.get(k);
        if (q == null) {
            return null;
        }
        Live m = q.pollFirst();
        if (q.isEmpty()) {
            live.remove(k);
        }
        return m;
    }

    synchronized int liveCount() {
        int n = 0;
        for (ArrayDeque<Live> q : live.values()) {
            n += q.size();
        }
        return n;
    }

    /** Takes every live mapping, by device address (unsigned), the oldest first at one address. */
    synchronized List<Live> drainLive() {
        List<Live> all = new ArrayList<>();
        live.values().forEach(all::addAll);
        live.clear();
        all.sort((a, b) -> Long.compareUnsigned(a.dma(), b.dma()));
        return all;
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
