package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdma.kernel.dma.DmaDevice;

/**
 * The checker's live entries, per device and by device address (Linux dma-debug's hash buckets),
 * with Linux's two lookups: {@link #findExact} for unmaps and frees (best fit by size, type,
 * direction and sg entry count, because without an IOMMU the same address can be mapped twice)
 * and {@link #findContaining} for syncs. Not thread-safe: the checker's lock guards it.
 */
final class EntryTable {

    private final Map<DmaDevice, TreeMap<Long, List<DebugEntry>>> table = new IdentityHashMap<>();
    /** Per device, the largest entry it ever had: how far below an address a containing entry can start. */
    private final Map<DmaDevice, Long> largest = new IdentityHashMap<>();
    private long liveEntries;
    private long maxLiveEntries;

    void add(DebugEntry e) {
        table.computeIfAbsent(e.device, d -> new TreeMap<>()).computeIfAbsent(e.dmaAddress, a -> new ArrayList<>(1)).add(e);
        largest.merge(e.device, e.size, Math::max);
        liveEntries++;
        maxLiveEntries = Math.max(maxLiveEntries, liveEntries);
    }

    /** Takes {@code e} out (when it is still in the table) and counts it gone. */
    void remove(DebugEntry e) {
        TreeMap<Long, List<DebugEntry>> t = table.get(e.device);
        if (t != null) {
            List<DebugEntry> at = t.get(e.dmaAddress);
            if (at != null && at.remove(e)) {
                if (at.isEmpty()) {
                    t.remove(e.dmaAddress);
                }
                if (t.isEmpty()) {
                    table.remove(e.device);
                }
            }
        }
        liveEntries--;
    }

    /** Takes a device's whole bucket out of the table; its entries, by address. They still count until {@link #remove}d. */
    List<DebugEntry> removeDevice(DmaDevice device) {
        TreeMap<Long, List<DebugEntry>> t = table.remove(device);
        List<DebugEntry> all = new ArrayList<>();
        if (t != null) {
            t.values().forEach(all::addAll);
        }
        return all;
    }

    /** Whether a scatterlist region still has a segment in the table (a single mapping is one entry). */
    boolean regionHasEntries(MappedRegion r) {
        if (r.type != DmaMappingType.SCATTER_GATHER) {
            return false;
        }
        TreeMap<Long, List<DebugEntry>> t = table.get(r.device);
        if (t == null) {
            return false;
        }
        for (List<DebugEntry> l : t.values()) {
            for (DebugEntry e : l) {
                if (e.region == r) {
                    return true;
                }
            }
        }
        return false;
    }

    List<DebugEntry> entriesAt(DmaDevice device, long dmaAddress) {
        TreeMap<Long, List<DebugEntry>> t = table.get(device);
        if (t == null) {
            return List.of();
        }
        List<DebugEntry> l = t.get(dmaAddress);
        return l == null ? List.of() : l;
    }

    /** Linux {@code bucket_find_exact}: the entry at the address that matches the call best. */
    DebugEntry findExact(MappingRef ref) {
        return findExact(ref, List.of());
    }

    /**
     * {@link #findExact(MappingRef)} among the entries not in {@code claimed} (compared by
     * identity): the segments of one sg unmap each find their own entry, also when several are
     * alike (the same bytes in two segments).
     */
    DebugEntry findExact(MappingRef ref, List<DebugEntry> claimed) {
        DebugEntry best = null;
        int bestScore = -1;
        for (DebugEntry e : entriesAt(ref.device(), ref.dmaAddress())) {
            if (containsSame(claimed, e)) {
                continue;
            }
            int score = (e.size == ref.size() ? 1 : 0) + (e.type == ref.type() ? 1 : 0)
                    + (e.direction == ref.direction() ? 1 : 0) + (e.sgCallEntries == ref.sgCallEntries() ? 1 : 0);
            if (score == 4) {
                return e;
            }
            if (score > bestScore) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }

    /** Whether {@code e} itself (not an equal-looking entry) is live in the table. */
    boolean contains(DebugEntry e) {
        return containsSame(entriesAt(e.device, e.dmaAddress), e);
    }

    private static boolean containsSame(List<DebugEntry> entries, DebugEntry e) {
        for (DebugEntry x : entries) {
            if (x == e) {
                return true;
            }
        }
        return false;
    }

    /** Linux {@code bucket_find_contain}: an entry whose range contains the address. */
    DebugEntry findContaining(MappingRef ref) {
        TreeMap<Long, List<DebugEntry>> t = table.get(ref.device());
        if (t == null) {
            return null;
        }
        DebugEntry best = null;
        for (Map.Entry<Long, List<DebugEntry>> at : t.headMap(ref.dmaAddress(), true).descendingMap().entrySet()) {
            for (DebugEntry e : at.getValue()) {
                if (ref.dmaAddress() - e.dmaAddress < e.size) {
                    if (ref.type() != DmaMappingType.SCATTER_GATHER || e.type == DmaMappingType.SCATTER_GATHER) {
                        return e;
                    }
                    best = best == null ? e : best;
                }
            }
        }
        return best;
    }

    /**
     * For a device access at {@code address}: a live entry of {@code device} that contains it and
     * allows the access ({@code write}: FROM_DEVICE or BIDIRECTIONAL; a read: TO_DEVICE or
     * BIDIRECTIONAL), else one that contains it with the wrong direction, else null. Looks only as
     * far below the address as the device's largest entry reaches.
     */
    DebugEntry covering(DmaDevice device, long address, boolean write) {
        TreeMap<Long, List<DebugEntry>> t = table.get(device);
        if (t == null) {
            return null;
        }
        long reach = largest.getOrDefault(device, 0L);
        DebugEntry wrong = null;
        for (Map.Entry<Long, List<DebugEntry>> at : t.headMap(address, true).descendingMap().entrySet()) {
            if (address - at.getKey() >= reach) {
                break;
            }
            for (DebugEntry e : at.getValue()) {
                if (address - e.dmaAddress < e.size) {
                    if (allows(e, write)) {
                        return e;
                    }
                    wrong = wrong == null ? e : wrong;
                }
            }
        }
        return wrong;
    }

    /** Whether a mapping made in {@code e}'s direction lets the device make this access. */
    static boolean allows(DebugEntry e, boolean write) {
        return switch (e.direction) {
            case BIDIRECTIONAL -> true;
            case TO_DEVICE -> !write;
            case FROM_DEVICE -> write;
            case NONE -> false;
        };
    }

    /** The live mappings of {@code device}, ordered by device address. */
    List<DmaMapping> liveMappings(DmaDevice device) {
        List<DmaMapping> out = new ArrayList<>();
        TreeMap<Long, List<DebugEntry>> t = table.get(device);
        if (t != null) {
            t.values().forEach(l -> l.forEach(e -> out.add(e.snapshot())));
        }
        return out;
    }

    long liveEntries() {
        return liveEntries;
    }

    long maxLiveEntries() {
        return maxLiveEntries;
    }

    /** Forgets everything (the checker disabled itself). */
    void clear() {
        table.clear();
        largest.clear();
        liveEntries = 0;
    }
}
