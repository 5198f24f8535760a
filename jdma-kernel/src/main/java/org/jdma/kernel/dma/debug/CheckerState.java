package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.platform.CacheMaintenance;

/**
 * Everything {@link DmaDebug} keeps, and what happens to it as calls come in: the live entries
 * ({@link EntryTable}), the checks ({@link DebugChecks}), cache-line tracking
 * ({@link CachelineTracker}), the reports ({@link DebugReporter}) and the coherency sanitizer, and
 * Linux's switch that turns it all off when the cache-line tracker runs out of room. Every method
 * takes the checker's one lock; none is called while the decorated layer runs.
 */
final class CheckerState {

    private static final long DMA_MAPPING_ERROR = DmaApi.DMA_MAPPING_ERROR;

    private final Object lock;
    final EntryTable table = new EntryTable();
    final DebugReporter reporter;
    final UnmapHistory history = new UnmapHistory();
    final DeviceAccessCheck deviceAccesses = new DeviceAccessCheck(this);
    final DebugChecks checks;
    final CachelineTracker cachelines;
    CoherencySanitizer sanitizer;
    CacheMaintenance sanitizedCache;
    boolean disabled;

    CheckerState(Object lock, int cachelineCapacity, int lineSize, long reportStacks) {
        this.reporter = new DebugReporter(reportStacks);
        this.lock = lock;
        this.checks = new DebugChecks(this, table);
        this.cachelines = new CachelineTracker(cachelineCapacity, lineSize, new CachelineTracker.Sink() {
            @Override
            public void report(DmaDebugCategory category, DebugEntry entry, long line, String text) {
                CheckerState.this.report(category, entry.device, entry, line, text);
            }

            @Override
            public void disable() {
                CheckerState.this.disable();
            }
        });
    }

    /** Makes a report (lock held): {@code text} is the category-specific message. */
    void report(DmaDebugCategory category, DmaDevice device, DebugEntry entry, long line, String text) {
        reporter.report(category, device, entry, line, text);
    }

    /** A report naming {@code entry}'s unmap site as well (lock held). */
    void reportWithUnmap(DmaDebugCategory category, DmaDevice device, DebugEntry entry, String text) {
        reporter.report(category, device, entry, -1, text, true);
    }

    /** The device's accesses are checked from now on (it is attached to the DMA API). */
    void attach(DmaDevice device) {
        synchronized (lock) {
            deviceAccesses.attach(device);
        }
    }

    /** A device access seen on the platform, before its data moves. */
    void deviceAccess(org.jdma.spec.pci.RequesterId requester, long bus, long length, boolean write) {
        synchronized (lock) {
            if (!disabled) {
                deviceAccesses.access(requester, bus, length, write);
            }
        }
    }

    /** The sanitizer, or null (lock held). */
    CoherencySanitizer sanitizerOrNull() {
        return sanitizer;
    }

    /** Check 15: live mappings of a device being detached are a leak, reported once with a count. */
    void detach(DmaDevice device) {
        synchronized (lock) {
            List<DebugEntry> all = table.removeDevice(device);
            if (!all.isEmpty() && !disabled) {
                DebugEntry one = all.getFirst();
                report(DmaDebugCategory.LEAK_ON_DETACH, device, one, -1, String.format(
                        "device driver has pending DMA allocations while released from device [count=%d]%n"
                                + "One of leaked entries details: [device address=0x%016x] [size=%d bytes] [mapped with %s] [mapped as %s]",
                        all.size(), one.dmaAddress, one.size, DmaMapping.directionName(one.direction), one.type.linuxName()));
            }
            all.forEach(this::forget);
            history.forget(device);
            deviceAccesses.detach(device);
        }
    }

    /** Linux {@code debug_dma_mapping_error}: marks the first unchecked entry at this address. */
    void mappingErrorChecked(DmaDevice device, long dmaAddress) {
        synchronized (lock) {
            for (DebugEntry e : table.entriesAt(device, dmaAddress)) {
                if (e.mapError == MapErrorState.NOT_CHECKED) {
                    e.mapError = MapErrorState.CHECKED;
                    break;
                }
            }
        }
    }

    void addCoherent(DmaDevice device, CoherentBuffer b, Throwable origin) {
        synchronized (lock) {
            if (!disabled) {
                MappedRegion r = new MappedRegion(device, DmaMappingType.COHERENT, DmaDirection.BIDIRECTIONAL, false,
                        new long[] {b.physical()}, new long[] {b.physical() + b.size()});
                add(new DebugEntry(device, b.dmaAddress(), b.size(), b.physical(), DmaMappingType.COHERENT,
                        DmaDirection.BIDIRECTIONAL, 0, 0, MapErrorState.NOT_APPLICABLE, origin, r), true);
            }
        }
    }

    void addScatterList(DmaDevice device, ScatterList sg, int nents, int inputs, int mapped, DmaDirection direction,
                        Set<DmaAttr> attrs, Throwable origin) {
        synchronized (lock) {
            if (disabled) {
                return;
            }
            long[] starts = new long[inputs];
            long[] ends = new long[inputs];
            for (int i = 0; i < inputs; i++) {
                starts[i] = sg.get(i).physical();
                ends[i] = starts[i] + sg.get(i).length();
            }
            MappedRegion r = new MappedRegion(device, DmaMappingType.SCATTER_GATHER, direction, attrs.contains(DmaAttr.SKIP_CPU_SYNC),
                    starts, ends);
            for (int i = 0; i < mapped && i < sg.size(); i++) {
                ScatterList.Entry s = sg.get(i);
                DebugEntry e = new DebugEntry(device, s.dmaAddress(), s.dmaLength(), s.physical(), DmaMappingType.SCATTER_GATHER,
                        direction, nents, mapped, MapErrorState.NOT_APPLICABLE, origin, r);
                checks.checkSgSegment(device, e, s.length());
                add(e, i == 0);
            }
        }
    }

    void addStreaming(DmaDevice device, long dma, long size, long physical, DmaMappingType type,
                      DmaDirection direction, Set<DmaAttr> attrs, Throwable origin) {
        if (dma == DMA_MAPPING_ERROR) {
            return; // Linux: no entry for a failed mapping; the driver's mappingError test finds nothing to mark
        }
        synchronized (lock) {
            if (disabled) {
                return;
            }
            MappedRegion r = new MappedRegion(device, type, direction, attrs.contains(DmaAttr.SKIP_CPU_SYNC),
                    new long[] {physical}, new long[] {physical + size});
            add(new DebugEntry(device, dma, size, physical, type, direction, 0, 0, MapErrorState.NOT_CHECKED, origin, r), true);
        }
    }

    /** Adds an entry; {@code firstOfRegion}: also start tracking its region's lines. Lock held. */
    private void add(DebugEntry e, boolean firstOfRegion) {
        table.add(e);
        if (firstOfRegion) {
            e.region.first = e;
            cachelines.track(e);
            if (sanitizer != null && e.type.streaming() && !disabled) {
                if (cachelines.exceedsCapacity(e.region)) {
                    // The sanitizer keeps state per line too: a region larger than the tracker may
                    // hold (a TO_DEVICE one is not tracked above) would cost unbounded memory.
                    report(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY, e.device, e, -1, String.format(
                            "cacheline tracking ENOMEM, dma-debug disabled [mapping of %d bytes at 0x%x has more lines than the tracker holds]",
                            e.size, e.physical));
                    disable();
                } else {
                    sanitizer.mapped(e.region);
                }
            }
        }
    }

    /** Removes an entry (and its region's tracking when it was the region's last entry). Lock held. */
    void forget(DebugEntry e) {
        table.remove(e);
        if (e.region.live && !table.regionHasEntries(e.region)) {
            e.region.live = false;
            if (!disabled) {
                cachelines.untrack(e.region);
            }
            if (sanitizer != null && e.type.streaming()) {
                sanitizer.unmapped(e.region);
            }
        }
    }

    /**
     * Checks an unmap or free before the layer runs it; returns the entry it releases, or null.
     * Nothing is forgotten yet: a call the layer refuses leaves the mapping, so the entry stays too.
     */
    DebugEntry checkUnmap(MappingRef ref) {
        synchronized (lock) {
            return disabled ? null : checks.checkUnmap(ref, List.of());
        }
    }

    /** {@link #checkUnmap} for each segment of an sg unmap; each finds an entry of its own. */
    List<DebugEntry> checkUnmaps(List<MappingRef> refs) {
        List<DebugEntry> found = new ArrayList<>(refs.size());
        synchronized (lock) {
            if (!disabled) {
                for (MappingRef ref : refs) {
                    DebugEntry e = checks.checkUnmap(ref, found);
                    if (e != null) {
                        found.add(e);
                    }
                }
            }
        }
        return found;
    }

    /**
     * The layer released what {@link #checkUnmap} found: the entry goes into the unmap history with
     * {@code site} (where it was unmapped, or null). An entry already gone (its device detached on
     * another thread meanwhile) is left alone.
     */
    void released(DebugEntry e, Throwable site) {
        if (e == null) {
            return;
        }
        synchronized (lock) {
            releasedLocked(e, site);
        }
    }

    void released(List<DebugEntry> entries, Throwable site) {
        synchronized (lock) {
            for (DebugEntry e : entries) {
                releasedLocked(e, site);
            }
        }
    }

    private void releasedLocked(DebugEntry e, Throwable site) {
        if (disabled || !table.contains(e)) {
            return;
        }
        e.unmapSite = site;
        forget(e);
        history.add(e);
    }

    DebugEntry checkSync(MappingRef ref, boolean toCpu) {
        synchronized (lock) {
            return disabled ? null : checks.checkSync(ref, toCpu);
        }
    }

    void checkArea(DmaDevice device, long physical, long size, boolean single) {
        synchronized (lock) {
            if (!disabled) {
                checks.checkArea(device, physical, size, single);
            }
        }
    }

    List<MappingRef> sgRefs(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        synchronized (lock) {
            return checks.sgRefs(device, sg, nents, direction);
        }
    }

    /** Ownership of the synced part goes to the device, after the delegate cleaned or bounced it. */
    void toDevice(DebugEntry e, long dmaAddress, long size) {
        if (e == null) {
            return;
        }
        synchronized (lock) {
            if (sanitizer != null && e.region.live) {
                sanitizer.toDevice(e.region, DebugChecks.syncStart(e, dmaAddress), DebugChecks.syncEnd(e, dmaAddress, size));
            }
        }
    }

    /** Linux: dma-debug switches itself off and frees its state; calls pass through unchecked. Lock held. */
    void disable() {
        disabled = true;
        table.clear();
        history.clear();
        deviceAccesses.clear();
        cachelines.clear();
        if (sanitizer != null) {
            sanitizer.disable();
        }
    }
}
