package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.platform.Platform;
import org.jdma.platform.CacheMaintenance;
import org.jdma.platform.MemoryMapEntry;

/**
 * The DMA-API checker: a decorator over any {@link DmaApi} that does what Linux's dma-debug does
 * ({@code kernel/dma/debug.c}), with the same 24 checks and message categories, and optionally
 * the coherency sanitizer that watches the CPU cache ({@link #attachSanitizer}).
 *
 * <p>Mechanics, as Linux: every live mapping is an entry keyed by device and device address; an
 * sg list is one entry per device segment. Unmap and free find their entry by best fit (size,
 * type, direction, sg entry count), because without an IOMMU the same address can be mapped
 * twice; syncs find the entry that contains the synced address. Each finding goes to the
 * listeners as a {@link DmaDebugReport} naming the device, the mapping and the Java stack of the
 * call that made the mapping, and is counted per category.
 *
 * <p>Differences from Linux, on purpose: cache-line overlap tracking (checks 22-24) covers every
 * line of a mapping, not only its first; an sg unmap or sync of a list nobody mapped is reported
 * (Linux finds no entry count and checks nothing); checks 16, 17 and 19 fire for areas declared
 * with {@link #declareArea} (the emulated kernel has no stacks, text or vmalloc in guest memory),
 * check 18 for memory that is not RAM in the firmware map.
 *
 * <p>Call shape: the checks that concern arguments run before the delegate; entries are added
 * after a successful map and removed before the delegate unmaps. Every call reaches the delegate,
 * a wrong one included, as in Linux: the checker reports, it does not repair.
 *
 * <p>Thread use: all state is guarded by one lock, never held while the delegate runs; listeners
 * are called with it held (see {@link DmaDebugListener}).
 */
public final class DmaDebug implements DmaApi, AutoCloseable {

    /** Linux {@code ACTIVE_CACHELINE_MAX_OVERLAP}: (1 << RADIX_TREE_MAX_TAGS) - 1. */
    public static final int ACTIVE_CACHELINE_MAX_OVERLAP = 7;
    /** Default capacity of the cache-line tracker before it disables the checker (check 24). */
    public static final int DEFAULT_CACHELINE_CAPACITY = 1 << 22;
    /** Reports kept for {@link #reports()}; the counters go on counting past it. */
    public static final int MAX_KEPT_REPORTS = 10_000;
    /** Frames kept of a captured stack. */
    static final int MAX_STACK_FRAMES = 24;
    private static final int DEFAULT_LINE_SIZE = 64;
    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];

    /**
     * How the checker runs.
     *
     * @param captureStacks     record the stack of every map call (a {@code Throwable} per mapping,
     *                          decoded only when a report needs it)
     * @param cachelineCapacity cache lines the overlap tracker may hold before it gives up and
     *                          disables the checker (check 24)
     */
    public record Options(boolean captureStacks, int cachelineCapacity) {
        public static final Options DEFAULTS = new Options(true, DEFAULT_CACHELINE_CAPACITY);

        public Options {
            if (cachelineCapacity < 1) {
                throw new IllegalArgumentException("cachelineCapacity must be positive, was " + cachelineCapacity);
            }
        }
    }

    /** One live mapping (Linux {@code struct dma_debug_entry}). */
    static final class Entry {
        final DmaDevice device;
        final long dmaAddress;
        final long size;
        final long physical;
        final DmaMappingType type;
        final DmaDirection direction;
        final int sgCallEntries;
        final int sgMappedEntries;
        final Throwable origin;
        final Region region;
        MapErrorState mapError;

        Entry(DmaDevice device, long dmaAddress, long size, long physical, DmaMappingType type, DmaDirection direction,
              int sgCallEntries, int sgMappedEntries, MapErrorState mapError, Throwable origin, Region region) {
            this.device = device;
            this.dmaAddress = dmaAddress;
            this.size = size;
            this.physical = physical;
            this.type = type;
            this.direction = direction;
            this.sgCallEntries = sgCallEntries;
            this.sgMappedEntries = sgMappedEntries;
            this.mapError = mapError;
            this.origin = origin;
            this.region = region;
        }

        DmaMapping snapshot() {
            return new DmaMapping(device.name(), dmaAddress, size, physical, type, direction, sgCallEntries,
                    sgMappedEntries, mapError);
        }
    }

    /**
     * What one map call mapped, on the CPU side: its physical ranges (one per input segment), the
     * unit of ownership for the sanitizer and of cache-line tracking.
     */
    static final class Region {
        final DmaDevice device;
        final DmaMappingType type;
        final DmaDirection direction;
        final boolean skipCpuSync;
        final long[] starts;
        final long[] ends;
        Entry first;
        boolean live = true;
        /** Sanitizer findings (bits) already reported in the current ownership period. */
        int sanitizerReported;

        Region(DmaDevice device, DmaMappingType type, DmaDirection direction, boolean skipCpuSync, long[] starts, long[] ends) {
            this.device = device;
            this.type = type;
            this.direction = direction;
            this.skipCpuSync = skipCpuSync;
            this.starts = starts;
            this.ends = ends;
        }
    }

    /** A lookup key: what an unmap or sync call says about the mapping it means. */
    private record Ref(DmaDevice device, long dmaAddress, long size, long physical, DmaMappingType type,
                       DmaDirection direction, int sgCallEntries) { }

    private final DmaApi delegate;
    private final Options options;
    private final Object lock = new Object();
    private final Map<DmaDevice, TreeMap<Long, List<Entry>>> table = new IdentityHashMap<>();
    private final Map<Long, Integer> activeCachelines = new HashMap<>();
    private final List<long[]> directMap = new ArrayList<>();
    private final Map<MemoryArea, List<long[]>> areas = new EnumMap<>(MemoryArea.class);
    private final List<DmaDebugListener> listeners = new CopyOnWriteArrayList<>();
    private final long[] counts = new long[DmaDebugCategory.values().length];
    private final List<DmaDebugReport> kept = new ArrayList<>();
    private int cachelineShift = Integer.numberOfTrailingZeros(DEFAULT_LINE_SIZE);
    private CoherencySanitizer sanitizer;
    private CacheMaintenance sanitizedCache;
    private long errorCount;
    private long liveEntries;
    private long maxLiveEntries;
    private boolean disabled;
    private boolean overlapLimitWarned;
    /** Per thread: how deep it is inside calls of the delegate (see {@link #inLayer}). */
    private final ThreadLocal<int[]> layerDepth = ThreadLocal.withInitial(() -> new int[1]);

    private DmaDebug(DmaApi delegate, Options options) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Checks {@code delegate}'s callers: the API protocol only (no memory map, no cache). */
    public static DmaDebug wrap(DmaApi delegate) {
        return new DmaDebug(delegate, Options.DEFAULTS);
    }

    public static DmaDebug wrap(DmaApi delegate, Options options) {
        return new DmaDebug(delegate, options);
    }

    /**
     * Checks {@code delegate}'s callers on {@code platform}: the direct map is the firmware map's
     * RAM (check 18), cache lines are the CPU cache's, and the coherency sanitizer watches the CPU
     * cache.
     */
    public static DmaDebug wrap(DmaApi delegate, Platform platform) {
        return wrap(delegate, platform, Options.DEFAULTS);
    }

    public static DmaDebug wrap(DmaApi delegate, Platform platform, Options options) {
        DmaDebug d = new DmaDebug(delegate, options);
        d.directMap(platform.memoryMap());
        d.attachSanitizer(platform.cpu().cache());
        return d;
    }

    /** The API this checker decorates. */
    public DmaApi delegate() {
        return delegate;
    }

    // ---- configuration ---------------------------------------------------------------------------

    /** The kernel's direct map is the RAM of {@code memoryMap}: mapSingle of anything else is check 18. */
    public void directMap(List<MemoryMapEntry> memoryMap) {
        synchronized (lock) {
            directMap.clear();
            for (MemoryMapEntry e : memoryMap) {
                if (e.type() == MemoryMapEntry.Type.RAM) {
                    directMap.add(new long[] {e.base(), e.base() + e.length()});
                }
            }
        }
    }

    /** Declares [base, base + size) as {@code kind} memory: mapping it is check 16, 17 or 19. */
    public void declareArea(MemoryArea kind, long base, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException(kind + " area at " + hex(base) + ": size must be positive, was " + size);
        }
        synchronized (lock) {
            areas.computeIfAbsent(kind, k -> new ArrayList<>()).add(new long[] {base, base + size});
        }
    }

    /**
     * Starts the coherency sanitizer on {@code cache}: the checker observes the cache's events and
     * keeps shadow state per line (see {@link CoherencySanitizer}). The cache's line size becomes
     * the overlap tracker's line size. At most one cache per checker.
     */
    public void attachSanitizer(CacheMaintenance cache) {
        synchronized (lock) {
            if (sanitizer != null) {
                throw new IllegalStateException("the sanitizer already watches a cache");
            }
            cachelineShift = Integer.numberOfTrailingZeros(cache.lineSize());
            sanitizer = new CoherencySanitizer(this, cache.lineSize(), cache.coherent());
            sanitizedCache = cache;
        }
        cache.addObserver(sanitizer);
    }

    /** The sanitizer, when one is attached: it is the cache observer (tests may feed it events directly). */
    public Optional<CoherencySanitizer> sanitizer() {
        synchronized (lock) {
            return Optional.ofNullable(sanitizer);
        }
    }

    /** Stops observing the cache. The checker keeps checking API calls. */
    @Override
    public void close() {
        CacheMaintenance c;
        CoherencySanitizer s;
        synchronized (lock) {
            c = sanitizedCache;
            s = sanitizer;
            sanitizedCache = null;
        }
        if (c != null) {
            c.removeObserver(s);
        }
    }

    public void addListener(DmaDebugListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    public void removeListener(DmaDebugListener l) {
        listeners.remove(l);
    }

    // ---- results ---------------------------------------------------------------------------------

    /** Linux debugfs {@code error_count}: every report so far. */
    public long errorCount() {
        synchronized (lock) {
            return errorCount;
        }
    }

    public long count(DmaDebugCategory category) {
        synchronized (lock) {
            return counts[category.ordinal()];
        }
    }

    /** The reports so far (the first {@link #MAX_KEPT_REPORTS}), oldest first. */
    public List<DmaDebugReport> reports() {
        synchronized (lock) {
            return List.copyOf(kept);
        }
    }

    /** Forgets reports and counters (not mappings). */
    public void clearReports() {
        synchronized (lock) {
            kept.clear();
            Arrays.fill(counts, 0);
            errorCount = 0;
        }
    }

    /** Throws a {@link DmaDebugFailure} listing every report so far, when there is any. */
    public void assertNoReports() {
        List<DmaDebugReport> r;
        long n;
        synchronized (lock) {
            r = List.copyOf(kept);
            n = errorCount;
        }
        if (n > 0) {
            throw new DmaDebugFailure(r, n);
        }
    }

    /** Linux: the checker disabled itself (the cache-line tracker ran out of room, check 24). */
    public boolean disabled() {
        synchronized (lock) {
            return disabled;
        }
    }

    /** Live entries, all devices (Linux {@code nr_total_entries - num_free_entries}). */
    public long liveEntries() {
        synchronized (lock) {
            return liveEntries;
        }
    }

    /** Most entries live at once. */
    public long maxLiveEntries() {
        synchronized (lock) {
            return maxLiveEntries;
        }
    }

    /** The live mappings of {@code device}, ordered by device address. */
    public List<DmaMapping> liveMappings(DmaDevice device) {
        synchronized (lock) {
            List<DmaMapping> out = new ArrayList<>();
            TreeMap<Long, List<Entry>> t = table.get(device);
            if (t != null) {
                t.values().forEach(l -> l.forEach(e -> out.add(e.snapshot())));
            }
            return out;
        }
    }

    /** Linux {@code debug_dma_dump_mappings}: one line per live entry of {@code device}. */
    public List<String> dumpMappings(DmaDevice device) {
        return liveMappings(device).stream().map(DmaMapping::dumpLine).toList();
    }

    // ---- DmaApi ----------------------------------------------------------------------------------

    @Override
    public void attach(DmaDevice device) {
        runLayer(() -> delegate.attach(device));
    }

    @Override
    public void detach(DmaDevice device) {
        synchronized (lock) {
            TreeMap<Long, List<Entry>> t = table.remove(device);
            if (t != null && !t.isEmpty() && !disabled) {
                List<Entry> all = new ArrayList<>();
                t.values().forEach(all::addAll);
                Entry one = all.getFirst();
                report(DmaDebugCategory.LEAK_ON_DETACH, device, one, -1, String.format(
                        "device driver has pending DMA allocations while released from device [count=%d]%n"
                                + "One of leaked entries details: [device address=0x%016x] [size=%d bytes] [mapped with %s] [mapped as %s]",
                        all.size(), one.dmaAddress, one.size, DmaMapping.directionName(one.direction), one.type.linuxName()));
                for (Entry e : all) {
                    forget(e);
                }
            } else if (t != null) {
                t.values().forEach(l -> l.forEach(this::forget));
            }
        }
        runLayer(() -> delegate.detach(device));
    }

    @Override
    public boolean setMask(DmaDevice device, DmaMask mask) {
        return callLayer(() -> delegate.setMask(device, mask));
    }

    @Override
    public boolean setCoherentMask(DmaDevice device, DmaMask mask) {
        return callLayer(() -> delegate.setCoherentMask(device, mask));
    }

    @Override
    public boolean mappingError(DmaDevice device, long dmaAddress) {
        boolean error = callLayer(() -> delegate.mappingError(device, dmaAddress));
        synchronized (lock) {
            // Linux debug_dma_mapping_error: mark the first unchecked entry at this address.
            for (Entry e : entriesAt(device, dmaAddress)) {
                if (e.mapError == MapErrorState.NOT_CHECKED) {
                    e.mapError = MapErrorState.CHECKED;
                    break;
                }
            }
        }
        return error;
    }

    @Override
    public CoherentBuffer allocCoherent(DmaDevice device, long size) {
        Throwable origin = origin();
        CoherentBuffer b = callLayer(() -> delegate.allocCoherent(device, size));
        if (b != null && b.dmaAddress() != DMA_MAPPING_ERROR) {
            synchronized (lock) {
                Region r = new Region(device, DmaMappingType.COHERENT, DmaDirection.BIDIRECTIONAL, false,
                        new long[] {b.physical()}, new long[] {b.physical() + b.size()});
                add(new Entry(device, b.dmaAddress(), b.size(), b.physical(), DmaMappingType.COHERENT,
                        DmaDirection.BIDIRECTIONAL, 0, 0, MapErrorState.NOT_APPLICABLE, origin, r), true);
            }
        }
        return b;
    }

    @Override
    public void freeCoherent(DmaDevice device, long size, long physical, long dmaAddress) {
        checkUnmap(new Ref(device, dmaAddress, size, physical, DmaMappingType.COHERENT, DmaDirection.BIDIRECTIONAL, 0));
        runLayer(() -> delegate.freeCoherent(device, size, physical, dmaAddress));
    }

    @Override
    public long mapSingle(DmaDevice device, long physical, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        checkArea(device, physical, size, true);
        Throwable origin = origin();
        long dma = callLayer(() -> delegate.mapSingle(device, physical, size, direction, attrs));
        addStreaming(device, dma, size, physical, DmaMappingType.SINGLE, direction, attrs, origin);
        return dma;
    }

    @Override
    public void unmapSingle(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        checkUnmap(new Ref(device, dmaAddress, size, -1, DmaMappingType.SINGLE, direction, 0));
        runLayer(() -> delegate.unmapSingle(device, dmaAddress, size, direction, attrs));
    }

    @Override
    public long mapPage(DmaDevice device, long pagePhysical, long offset, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        checkArea(device, pagePhysical + offset, size, false);
        Throwable origin = origin();
        long dma = callLayer(() -> delegate.mapPage(device, pagePhysical, offset, size, direction, attrs));
        addStreaming(device, dma, size, pagePhysical + offset, DmaMappingType.PAGE, direction, attrs, origin);
        return dma;
    }

    @Override
    public void unmapPage(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        checkUnmap(new Ref(device, dmaAddress, size, -1, DmaMappingType.PAGE, direction, 0));
        runLayer(() -> delegate.unmapPage(device, dmaAddress, size, direction, attrs));
    }

    @Override
    public int mapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs) {
        int inputs = Math.min(nents, sg.size());
        for (int i = 0; i < inputs; i++) {
            checkArea(device, sg.get(i).physical(), sg.get(i).length(), false);
        }
        Throwable origin = origin();
        int mapped = callLayer(() -> delegate.mapSg(device, sg, nents, direction, attrs));
        if (mapped <= 0) {
            return mapped;
        }
        synchronized (lock) {
            if (disabled) {
                return mapped;
            }
            long[] starts = new long[inputs];
            long[] ends = new long[inputs];
            for (int i = 0; i < inputs; i++) {
                starts[i] = sg.get(i).physical();
                ends[i] = starts[i] + sg.get(i).length();
            }
            Region r = new Region(device, DmaMappingType.SCATTER_GATHER, direction, attrs.contains(DmaAttr.SKIP_CPU_SYNC), starts, ends);
            for (int i = 0; i < mapped && i < sg.size(); i++) {
                ScatterList.Entry s = sg.get(i);
                Entry e = new Entry(device, s.dmaAddress(), s.dmaLength(), s.physical(), DmaMappingType.SCATTER_GATHER,
                        direction, nents, mapped, MapErrorState.NOT_APPLICABLE, origin, r);
                checkSgSegment(device, e, s.length());
                add(e, i == 0);
            }
        }
        return mapped;
    }

    @Override
    public void unmapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs) {
        for (Ref ref : sgRefs(device, sg, nents, direction)) {
            checkUnmap(ref);
        }
        runLayer(() -> delegate.unmapSg(device, sg, nents, direction, attrs));
    }

    @Override
    public void syncSingleForCpu(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
        checkSync(new Ref(device, dmaAddress, size, -1, DmaMappingType.SINGLE, direction, 0), true);
        runLayer(() -> delegate.syncSingleForCpu(device, dmaAddress, size, direction));
    }

    @Override
    public void syncSingleForDevice(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
        Entry e = checkSync(new Ref(device, dmaAddress, size, -1, DmaMappingType.SINGLE, direction, 0), false);
        runLayer(() -> delegate.syncSingleForDevice(device, dmaAddress, size, direction));
        toDevice(e, dmaAddress, size);
    }

    @Override
    public void syncSgForCpu(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        for (Ref ref : sgRefs(device, sg, nents, direction)) {
            checkSync(ref, true);
        }
        runLayer(() -> delegate.syncSgForCpu(device, sg, nents, direction));
    }

    @Override
    public void syncSgForDevice(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        List<Entry> found = new ArrayList<>();
        for (Ref ref : sgRefs(device, sg, nents, direction)) {
            Entry e = checkSync(ref, false);
            if (e != null) {
                found.add(e);
            }
        }
        runLayer(() -> delegate.syncSgForDevice(device, sg, nents, direction));
        for (Entry e : found) {
            toDevice(e, e.dmaAddress, e.size);
        }
    }

    @Override
    public long maxMappingSize(DmaDevice device) {
        return callLayer(() -> delegate.maxMappingSize(device));
    }

    // ---- checks ----------------------------------------------------------------------------------

    private void addStreaming(DmaDevice device, long dma, long size, long physical, DmaMappingType type,
                              DmaDirection direction, Set<DmaAttr> attrs, Throwable origin) {
        if (dma == DMA_MAPPING_ERROR) {
            return; // Linux: no entry for a failed mapping; the driver's mappingError test finds nothing to mark
        }
        synchronized (lock) {
            if (disabled) {
                return;
            }
            Region r = new Region(device, type, direction, attrs.contains(DmaAttr.SKIP_CPU_SYNC),
                    new long[] {physical}, new long[] {physical + size});
            add(new Entry(device, dma, size, physical, type, direction, 0, 0, MapErrorState.NOT_CHECKED, origin, r), true);
        }
    }

    /** Adds an entry; {@code firstOfRegion}: also start tracking its region's lines. Lock held. */
    private void add(Entry e, boolean firstOfRegion) {
        table.computeIfAbsent(e.device, d -> new TreeMap<>()).computeIfAbsent(e.dmaAddress, a -> new ArrayList<>(1)).add(e);
        liveEntries++;
        maxLiveEntries = Math.max(maxLiveEntries, liveEntries);
        if (firstOfRegion) {
            e.region.first = e;
            trackCachelines(e);
            if (sanitizer != null && e.type.streaming()) {
                sanitizer.mapped(e.region);
            }
        }
    }

    /** Removes an entry (and its region's tracking when it was the region's last entry). Lock held. */
    private void forget(Entry e) {
        TreeMap<Long, List<Entry>> t = table.get(e.device);
        if (t != null) {
            List<Entry> at = t.get(e.dmaAddress);
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
        if (e.region.live && !regionHasEntries(e.region)) {
            e.region.live = false;
            untrackCachelines(e.region);
            if (sanitizer != null && e.type.streaming()) {
                sanitizer.unmapped(e.region);
            }
        }
    }

    private boolean regionHasEntries(Region r) {
        if (r.type != DmaMappingType.SCATTER_GATHER) {
            return false;
        }
        TreeMap<Long, List<Entry>> t = table.get(r.device);
        if (t == null) {
            return false;
        }
        for (List<Entry> l : t.values()) {
            for (Entry e : l) {
                if (e.region == r) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Entry> entriesAt(DmaDevice device, long dmaAddress) {
        TreeMap<Long, List<Entry>> t = table.get(device);
        if (t == null) {
            return List.of();
        }
        List<Entry> l = t.get(dmaAddress);
        return l == null ? List.of() : l;
    }

    /** Linux {@code bucket_find_exact}: the entry at the address that matches the call best. Lock held. */
    private Entry findExact(Ref ref) {
        Entry best = null;
        int bestScore = -1;
        for (Entry e : entriesAt(ref.device, ref.dmaAddress)) {
            int score = (e.size == ref.size ? 1 : 0) + (e.type == ref.type ? 1 : 0)
                    + (e.direction == ref.direction ? 1 : 0) + (e.sgCallEntries == ref.sgCallEntries ? 1 : 0);
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

    /** Linux {@code bucket_find_contain}: an entry whose range contains the address. Lock held. */
    private Entry findContaining(Ref ref) {
        TreeMap<Long, List<Entry>> t = table.get(ref.device);
        if (t == null) {
            return null;
        }
        Entry best = null;
        for (Map.Entry<Long, List<Entry>> at : t.headMap(ref.dmaAddress, true).descendingMap().entrySet()) {
            for (Entry e : at.getValue()) {
                if (ref.dmaAddress - e.dmaAddress < e.size) {
                    if (ref.type != DmaMappingType.SCATTER_GATHER || e.type == DmaMappingType.SCATTER_GATHER) {
                        return e;
                    }
                    best = best == null ? e : best;
                }
            }
        }
        return best;
    }

    /** Linux {@code check_unmap}; removes the entry it finds. */
    private void checkUnmap(Ref ref) {
        synchronized (lock) {
            if (disabled) {
                return;
            }
            Entry e = findExact(ref);
            if (e == null) {
                if (ref.dmaAddress == DMA_MAPPING_ERROR) {
                    report(DmaDebugCategory.FREE_INVALID_ADDRESS, ref.device, null, -1,
                            "device driver tries to free an invalid DMA memory address");
                } else {
                    report(DmaDebugCategory.FREE_NOT_ALLOCATED, ref.device, null, -1, String.format(
                            "device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=%d bytes]",
                            ref.dmaAddress, ref.size));
                }
                return;
            }
            if (ref.size != e.size) {
                report(DmaDebugCategory.FREE_SIZE_MISMATCH, ref.device, e, -1, String.format(
                        "device driver frees DMA memory with different size [device address=0x%016x] [map size=%d bytes] [unmap size=%d bytes]",
                        ref.dmaAddress, e.size, ref.size));
            }
            if (ref.type != e.type) {
                report(DmaDebugCategory.FREE_WRONG_FUNCTION, ref.device, e, -1, String.format(
                        "device driver frees DMA memory with wrong function [device address=0x%016x] [size=%d bytes] [mapped as %s] [unmapped as %s]",
                        ref.dmaAddress, ref.size, e.type.linuxName(), ref.type.linuxName()));
            } else if (ref.type == DmaMappingType.COHERENT && ref.physical != e.physical) {
                report(DmaDebugCategory.FREE_CPU_ADDRESS_MISMATCH, ref.device, e, -1, String.format(
                        "device driver frees DMA memory with different CPU address [device address=0x%016x] [size=%d bytes] [cpu alloc address=0x%x] [cpu free address=0x%x]",
                        ref.dmaAddress, ref.size, e.physical, ref.physical));
            }
            if (ref.sgCallEntries != 0 && ref.type == DmaMappingType.SCATTER_GATHER && ref.sgCallEntries != e.sgCallEntries) {
                report(DmaDebugCategory.FREE_SG_COUNT_MISMATCH, ref.device, e, -1, String.format(
                        "device driver frees DMA sg list with different entry count [map count=%d] [unmap count=%d]",
                        e.sgCallEntries, ref.sgCallEntries));
            }
            if (ref.direction != e.direction) {
                report(DmaDebugCategory.FREE_DIRECTION_MISMATCH, ref.device, e, -1, String.format(
                        "device driver frees DMA memory with different direction [device address=0x%016x] [size=%d bytes] [mapped with %s] [unmapped with %s]",
                        ref.dmaAddress, ref.size, DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction)));
            }
            if (e.mapError == MapErrorState.NOT_CHECKED) {
                report(DmaDebugCategory.MAP_ERROR_NOT_CHECKED, ref.device, e, -1, String.format(
                        "device driver failed to check map error [device address=0x%016x] [size=%d bytes] [mapped as %s]",
                        ref.dmaAddress, ref.size, e.type.linuxName()));
            }
            forget(e);
        }
    }

    /** Linux {@code check_sync}; moves ownership to the CPU when {@code toCpu}. Returns the entry found. */
    private Entry checkSync(Ref ref, boolean toCpu) {
        synchronized (lock) {
            if (disabled) {
                return null;
            }
            Entry e = findContaining(ref);
            if (e == null) {
                report(DmaDebugCategory.SYNC_NOT_ALLOCATED, ref.device, null, -1, String.format(
                        "device driver tries to sync DMA memory it has not allocated [device address=0x%016x] [size=%d bytes]",
                        ref.dmaAddress, ref.size));
                return null;
            }
            long offset = ref.dmaAddress - e.dmaAddress;
            if (ref.size > e.size - offset) {
                report(DmaDebugCategory.SYNC_OUT_OF_RANGE, ref.device, e, -1, String.format(
                        "device driver syncs DMA memory outside allocated range [device address=0x%016x] [allocation size=%d bytes] [sync offset+size=%d]",
                        e.dmaAddress, e.size, offset + ref.size));
            }
            if (toCpu && sanitizer != null) {
                // Before the delegate: a bounce copy back into the buffer is the layer's own CPU access.
                sanitizer.toCpu(e.region, syncStart(e, ref.dmaAddress), syncEnd(e, ref.dmaAddress, ref.size));
            }
            if (e.direction == DmaDirection.BIDIRECTIONAL) {
                return e;
            }
            if (ref.direction != e.direction) {
                report(DmaDebugCategory.SYNC_DIRECTION_MISMATCH, ref.device, e, -1, String.format(
                        "device driver syncs DMA memory with different direction [device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                        ref.dmaAddress, ref.size, DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction)));
            }
            if (toCpu && e.direction != DmaDirection.FROM_DEVICE && ref.direction != DmaDirection.TO_DEVICE) {
                report(DmaDebugCategory.SYNC_READ_ONLY_FOR_CPU, ref.device, e, -1, String.format(
                        "device driver syncs device read-only DMA memory for cpu [device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                        ref.dmaAddress, ref.size, DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction)));
            }
            if (!toCpu && e.direction != DmaDirection.TO_DEVICE && ref.direction != DmaDirection.FROM_DEVICE) {
                report(DmaDebugCategory.SYNC_WRITE_ONLY_TO_DEVICE, ref.device, e, -1, String.format(
                        "device driver syncs device write-only DMA memory to device [device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                        ref.dmaAddress, ref.size, DmaMapping.directionName(e.direction), DmaMapping.directionName(ref.direction)));
            }
            if (ref.sgCallEntries != 0 && ref.type == DmaMappingType.SCATTER_GATHER && ref.sgCallEntries != e.sgCallEntries) {
                report(DmaDebugCategory.SYNC_SG_COUNT_MISMATCH, ref.device, e, -1, String.format(
                        "device driver syncs DMA sg list with different entry count [map count=%d] [sync count=%d]",
                        e.sgCallEntries, ref.sgCallEntries));
            }
            return e;
        }
    }

    /** Ownership of the synced part goes to the device, after the delegate cleaned or bounced it. */
    private void toDevice(Entry e, long dmaAddress, long size) {
        if (e == null) {
            return;
        }
        synchronized (lock) {
            if (sanitizer != null && e.region.live) {
                sanitizer.toDevice(e.region, syncStart(e, dmaAddress), syncEnd(e, dmaAddress, size));
            }
        }
    }

    /** The CPU-side start of a sync (a whole sg list: its region's ranges; -1 means "all"). */
    private static long syncStart(Entry e, long dmaAddress) {
        return e.type == DmaMappingType.SCATTER_GATHER ? -1 : e.physical + (dmaAddress - e.dmaAddress);
    }

    private static long syncEnd(Entry e, long dmaAddress, long size) {
        return e.type == DmaMappingType.SCATTER_GATHER ? -1
                : e.physical + Math.min(e.size, (dmaAddress - e.dmaAddress) + size);
    }

    /** The references an sg unmap or sync makes: one per mapped device segment (Linux loops the same way). */
    private List<Ref> sgRefs(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        if (sg.size() == 0) {
            return List.of();
        }
        int mapped;
        synchronized (lock) {
            ScatterList.Entry s0 = sg.get(0);
            Entry first = findExact(new Ref(device, s0.dmaAddress(), s0.dmaLength(), s0.physical(),
                    DmaMappingType.SCATTER_GATHER, direction, nents));
            // Linux checks nothing when it finds no entry (get_nr_mapped_entries is 0); check the first segment.
            mapped = first == null ? 1 : first.sgMappedEntries;
        }
        List<Ref> refs = new ArrayList<>();
        for (int i = 0; i < mapped && i < sg.size(); i++) {
            ScatterList.Entry s = sg.get(i);
            refs.add(new Ref(device, s.dmaAddress(), s.dmaLength(), s.physical(), DmaMappingType.SCATTER_GATHER, direction, nents));
        }
        return refs;
    }

    /** Linux {@code check_for_stack} and {@code check_for_illegal_area}, and mapSingle's direct-map checks. */
    private void checkArea(DmaDevice device, long physical, long size, boolean single) {
        synchronized (lock) {
            if (disabled) {
                return;
            }
            if (overlaps(areas.get(MemoryArea.STACK), physical, size)) {
                report(DmaDebugCategory.MAP_STACK, device, null, -1,
                        String.format("device driver maps memory from stack [addr=0x%x]", physical));
            }
            if (overlaps(areas.get(MemoryArea.KERNEL_TEXT), physical, size)) {
                report(DmaDebugCategory.MAP_KERNEL_TEXT, device, null, -1, String.format(
                        "device driver maps memory from kernel text or rodata [addr=0x%x] [len=%d]", physical, size));
            }
            if (!single) {
                return;
            }
            if (!directMap.isEmpty() && !inside(directMap, physical, size)) {
                report(DmaDebugCategory.MAP_INVALID_AREA, device, null, -1, String.format(
                        "device driver maps memory from invalid area [addr=0x%x] [len=%d]", physical, size));
            }
            if (overlaps(areas.get(MemoryArea.VMALLOC), physical, size)) {
                report(DmaDebugCategory.MAP_VMALLOC, device, null, -1, String.format(
                        "device driver maps memory from vmalloc area [addr=0x%x] [len=%d]", physical, size));
            }
        }
    }

    private static boolean overlaps(List<long[]> ranges, long start, long size) {
        if (ranges == null) {
            return false;
        }
        for (long[] r : ranges) {
            if (start < r[1] && r[0] < start + size) {
                return true;
            }
        }
        return false;
    }

    private static boolean inside(List<long[]> ranges, long start, long size) {
        for (long[] r : ranges) {
            if (start >= r[0] && start + size <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** Linux {@code check_sg_segment} (CONFIG_DMA_API_DEBUG_SG). Lock held. */
    private void checkSgSegment(DmaDevice device, Entry e, long inputLength) {
        long max = device.maxSegmentSize();
        if (inputLength > max) {
            report(DmaDebugCategory.SG_SEGMENT_TOO_LONG, device, e, -1, String.format(
                    "mapping sg segment longer than device claims to support [len=%d] [max=%d]", inputLength, max));
        }
        long boundary = device.segmentBoundary();
        long start = e.dmaAddress;
        long end = e.dmaAddress + e.size - 1;
        if (((start ^ end) & ~boundary) != 0) {
            report(DmaDebugCategory.SG_SEGMENT_CROSSES_BOUNDARY, device, e, -1, String.format(
                    "mapping sg segment across boundary [start=0x%016x] [end=0x%016x] [boundary=0x%016x]", start, end, boundary));
        }
    }

    /**
     * Linux {@code active_cacheline_insert}: mappings the device may write must not share a cache
     * line (check 22); the overlap count per line is capped (check 23); a full tracker disables
     * the checker (check 24). Lock held.
     */
    private void trackCachelines(Entry e) {
        Region r = e.region;
        if (r.direction == DmaDirection.TO_DEVICE) {
            return; // "If the device is not writing memory then we don't have any concerns about the cpu consuming stale data"
        }
        boolean overlap = false;
        long overlapLine = -1;
        for (long ln : lines(r)) {
            Integer c = activeCachelines.get(ln);
            if (c == null) {
                if (activeCachelines.size() >= options.cachelineCapacity()) {
                    report(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY, e.device, e, ln << cachelineShift,
                            String.format("cacheline tracking ENOMEM, dma-debug disabled [tracked lines=%d]", activeCachelines.size()));
                    disable();
                    return;
                }
                activeCachelines.put(ln, 0);
            } else {
                int n = c + 1;
                if (n > ACTIVE_CACHELINE_MAX_OVERLAP) {
                    if (!overlapLimitWarned) {
                        overlapLimitWarned = true; // WARN_ONCE
                        report(DmaDebugCategory.CACHELINE_OVERLAP_LIMIT, e.device, e, ln << cachelineShift, String.format(
                                "exceeded %d overlapping mappings of cacheline 0x%x", ACTIVE_CACHELINE_MAX_OVERLAP, ln << cachelineShift));
                    }
                } else {
                    activeCachelines.put(ln, n);
                }
                if (!overlap) {
                    overlap = true;
                    overlapLine = ln << cachelineShift;
                }
            }
        }
        if (overlap && !r.skipCpuSync) {
            report(DmaDebugCategory.CACHELINE_OVERLAP, e.device, e, overlapLine, String.format(
                    "cacheline tracking EEXIST, overlapping mappings aren't supported [cacheline=0x%x]", overlapLine));
        }
    }

    private void untrackCachelines(Region r) {
        if (r.direction == DmaDirection.TO_DEVICE || disabled) {
            return;
        }
        for (long ln : lines(r)) {
            Integer c = activeCachelines.get(ln);
            if (c != null) {
                if (c == 0) {
                    activeCachelines.remove(ln);
                } else {
                    activeCachelines.put(ln, c - 1);
                }
            }
        }
    }

    /** The distinct cache-line numbers of a region, ascending (sg segments may share lines with each other). */
    private long[] lines(Region r) {
        if (r.starts.length == 1) {
            long first = r.starts[0] >>> cachelineShift;
            long last = (r.ends[0] - 1) >>> cachelineShift;
            long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, last - first + 1)];
            for (int i = 0; i < out.length; i++) {
                out[i] = first + i;
            }
            return out;
        }
        SortedSet<Long> set = new TreeSet<>();
        for (int i = 0; i < r.starts.length; i++) {
            for (long ln = r.starts[i] >>> cachelineShift; ln <= (r.ends[i] - 1) >>> cachelineShift; ln++) {
                set.add(ln);
            }
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    /** Linux: dma-debug switches itself off and frees its state; calls pass through unchecked. */
    private void disable() {
        disabled = true;
        table.clear();
        activeCachelines.clear();
        liveEntries = 0;
        if (sanitizer != null) {
            sanitizer.disable();
        }
    }

    // ---- reporting -------------------------------------------------------------------------------

    private Throwable origin() {
        return options.captureStacks() ? new Throwable("DMA mapping made here") : null;
    }

    /** Makes a report: lock held. {@code text} is the category-specific message. */
    void report(DmaDebugCategory category, DmaDevice device, Entry entry, long line, String text) {
        String message = "DMA-API: " + device.name() + ": " + text;
        StackTraceElement[] mapStack = entry == null || entry.origin == null ? NO_STACK : trim(entry.origin.getStackTrace());
        DmaDebugReport r = new DmaDebugReport(category, device.name(), message,
                Optional.ofNullable(entry).map(Entry::snapshot), line, mapStack, trim(new Throwable().getStackTrace()));
        errorCount++;
        counts[category.ordinal()]++;
        if (kept.size() < MAX_KEPT_REPORTS) {
            kept.add(r);
        }
        for (DmaDebugListener l : listeners) {
            l.report(r);
        }
    }

    /** Drops the checker's own frames (and the cache's, for sanitizer reports) and caps the depth. */
    private static StackTraceElement[] trim(StackTraceElement[] stack) {
        int from = 0;
        while (from < stack.length && isInternal(stack[from].getClassName())) {
            from++;
        }
        if (from == stack.length) {
            from = 0;
        }
        return Arrays.copyOfRange(stack, from, Math.min(stack.length, from + MAX_STACK_FRAMES));
    }

    private static boolean isInternal(String className) {
        return isClass(className, DmaDebug.class) || isClass(className, CoherencySanitizer.class)
                || className.startsWith("org.jdma.machine.cache.");
    }

    private static boolean isClass(String className, Class<?> c) {
        return className.equals(c.getName()) || className.startsWith(c.getName() + "$");
    }

    private static String hex(long v) {
        return String.format("%#x", v);
    }

    /** The categories this checker has reported so far (for summaries). */
    public Set<DmaDebugCategory> reportedCategories() {
        synchronized (lock) {
            EnumSet<DmaDebugCategory> s = EnumSet.noneOf(DmaDebugCategory.class);
            for (DmaDebugCategory c : DmaDebugCategory.values()) {
                if (counts[c.ordinal()] > 0) {
                    s.add(c);
                }
            }
            return Collections.unmodifiableSet(s);
        }
    }

    /** Runs a delegate call; CPU accesses it makes (bounce copies, zeroing) are the layer's, not the driver's. */
    private <T> T callLayer(Supplier<T> call) {
        int[] depth = layerDepth.get();
        depth[0]++;
        try {
            return call.get();
        } finally {
            depth[0]--;
        }
    }

    private void runLayer(Runnable call) {
        callLayer(() -> {
            call.run();
            return null;
        });
    }

    /** Whether the current thread is inside a call of the decorated layer. */
    boolean inLayer() {
        return layerDepth.get()[0] > 0;
    }

    /** The lock guarding all checker and sanitizer state (the sanitizer's callbacks take it). */
    Object lock() {
        return lock;
    }
}
