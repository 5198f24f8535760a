package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.MemoryInUseException;
import org.jdma.platform.CacheMaintenance;
import org.jdma.platform.DeviceAccessObserver;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.Platform;

/**
 * The DMA-API checker: a decorator over any {@link DmaApi} that does what Linux's dma-debug does
 * ({@code kernel/dma/debug.c}), with the same 24 checks and message categories, and optionally
 * the coherency sanitizer that watches the CPU cache ({@link #attachSanitizer}). The kernel puts it
 * in front of its mapping layer when booted with {@code Kernel.Options.dmaDebug}, so every driver's
 * mappings, rings included, are checked.
 *
 * <p>Mechanics, as Linux: every live mapping is an entry keyed by device and device address
 * ({@link EntryTable}); an sg list is one entry per device segment. Unmap and free find their
 * entry by best fit, syncs the entry that contains the synced address ({@link DebugChecks}).
 * Mappings the device may write are tracked per cache line ({@link CachelineTracker}). Each finding
 * goes to the listeners as a {@link DmaDebugReport} naming the device, the mapping and the Java
 * stack of the call that made the mapping, and is counted per category ({@link DebugReporter}).
 *
 * <p>Device side, which Linux cannot do: on a platform that offers device-access observation
 * ({@link #observeDevices}), every memory access an attached device makes is checked, before its
 * data moves, against that device's live entries: an access no live mapping allows is reported
 * with the device, the address, the length, read or write, and the unmap site (use after unmap or
 * free, from a bounded history of removed entries, {@link UnmapHistory}) or the map site (wrong
 * direction); see {@link DeviceAccessCheck}. The same history lets a double unmap name the first.
 *
 * <p>Beyond Linux: a free the memory manager refuses because a live mapping still covers the memory
 * (a {@code DmaBuffer}, frames, a pool block, a coherent allocation) is reported as
 * {@link DmaDebugCategory#FREE_WHILE_MAPPED} with the map site; an unmap the mapping layer refuses
 * because a descriptor in flight holds the mapping as {@link DmaDebugCategory#UNMAP_WHILE_IN_USE}
 * with the map site and the descriptor ({@link UnmapWhileInUse}), the entry kept.
 *
 * <p>Differences from Linux, on purpose: cache-line overlap tracking (checks 22-24) covers every
 * line of a mapping, not only its first; an sg unmap or sync of a list nobody mapped is reported
 * (Linux finds no entry count and checks nothing); checks 16, 17 and 19 fire for areas declared
 * with {@link #declareArea} (the emulated kernel has no stacks, text or vmalloc in guest memory),
 * check 18 for memory that is not RAM in the firmware map.
 *
 * <p>Call shape: the checks that concern arguments run before the delegate; entries are added
 * after a successful map; an unmap or free is checked before the delegate runs it and its entry
 * forgotten after the delegate has released the mapping, so a call the layer refuses (a bad
 * argument, a mapping in use) leaves the entry as it leaves the mapping. Every call reaches the delegate,
 * a wrong one included, as in Linux: the checker reports, it does not repair.
 *
 * <p>Thread use: all state is guarded by one lock, never held while the delegate runs; listeners
 * are called with it held (see {@link DmaDebugListener}).
 */
public final class DmaDebug implements DmaApi, AutoCloseable {

    /** Linux {@code ACTIVE_CACHELINE_MAX_OVERLAP}: {@code (1 << RADIX_TREE_MAX_TAGS) - 1}. */
    public static final int ACTIVE_CACHELINE_MAX_OVERLAP = CachelineTracker.MAX_OVERLAP;
    /** Default capacity of the cache-line tracker before it disables the checker (check 24). */
    public static final int DEFAULT_CACHELINE_CAPACITY = 1 << 22;
    /** Reports kept for {@link #reports()}; the counters go on counting past it. */
    public static final int MAX_KEPT_REPORTS = DebugReporter.MAX_KEPT_REPORTS;
    private static final int DEFAULT_LINE_SIZE = 64;

    /**
     * How the checker runs.
     *
     * @param captureStacks     record the stack of every map and unmap call (a {@code Throwable} per
     *                          call, decoded only when a report needs it)
     * @param cachelineCapacity cache lines the overlap tracker may hold before it gives up and
     *                          disables the checker (check 24)
     * @param reportStacks      how many reports carry the stack of the call or access that was
     *                          wrong, counted from the start or the last {@link #clearReports()}
     *                          (Linux's {@code show_num_errors}); later reports are made and counted
     *                          the same but carry no such stack. {@link #ALL_REPORTS} by default
     */
    public record Options(boolean captureStacks, int cachelineCapacity, long reportStacks) {
        /** {@code reportStacks} for every report. */
        public static final long ALL_REPORTS = Long.MAX_VALUE;
        public static final Options DEFAULTS = new Options(true, DEFAULT_CACHELINE_CAPACITY, ALL_REPORTS);

        public Options {
            if (cachelineCapacity < 1) {
                throw new IllegalArgumentException("cachelineCapacity must be positive, was " + cachelineCapacity);
            }
            if (reportStacks < 0) {
                throw new IllegalArgumentException("reportStacks must not be negative, was " + reportStacks);
            }
        }

        /** Every report with its stack. */
        public Options(boolean captureStacks, int cachelineCapacity) {
            this(captureStacks, cachelineCapacity, ALL_REPORTS);
        }
    }

    private final DmaApi delegate;
    private final Options options;
    private final Object lock = new Object();
    private final CheckerState state;
    /** Per thread: how deep it is inside calls of the delegate (see {@link #inLayer}). */
    private final ThreadLocal<int[]> layerDepth = ThreadLocal.withInitial(() -> new int[1]);
    /** What the checker registers with the platform to see device accesses. */
    private final DeviceAccessObserver deviceObserver;
    private Platform observedPlatform;
    /** Reports frees the memory manager refused because a mapping still covers the memory. */
    private final java.util.function.Consumer<MemoryInUseException> freeWatcher;

    private DmaDebug(DmaApi delegate, Options options) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.options = Objects.requireNonNull(options, "options");
        this.state = new CheckerState(lock, options.cachelineCapacity(), DEFAULT_LINE_SIZE, options.reportStacks());
        this.deviceObserver = state::deviceAccess;
        this.freeWatcher = e -> FreeWhileMapped.refused(state, lock, e);
        delegate.memory().ifPresent(m -> m.addRefusalListener(freeWatcher));
    }

    /** The delegate's memory: pools and the sanitizer ask it who owns which bytes. */
    @Override
    public Optional<DmaMemory> memory() {
        return delegate.memory();
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
     * RAM (check 18), cache lines are the CPU cache's, the coherency sanitizer watches the CPU
     * cache, and devices' accesses are checked when the platform can show them ({@link #observeDevices}).
     */
    public static DmaDebug wrap(DmaApi delegate, Platform platform) {
        return wrap(delegate, platform, Options.DEFAULTS);
    }

    public static DmaDebug wrap(DmaApi delegate, Platform platform, Options options) {
        DmaDebug d = new DmaDebug(delegate, options);
        d.directMap(platform.memoryMap());
        d.attachSanitizer(platform.cpu().cache());
        d.observeDevices(platform);
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
            state.checks.directMap(memoryMap);
        }
    }

    /** Declares [base, base + size) as {@code kind} memory: mapping it is check 16, 17 or 19. */
    public void declareArea(MemoryArea kind, long base, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException(String.format("%s area at %#x: size must be positive, was %d", kind, base, size));
        }
        synchronized (lock) {
            state.checks.declareArea(kind, base, size);
        }
    }

    /**
     * Starts the coherency sanitizer on {@code cache}: the checker observes the cache's events and
     * keeps shadow state per line (see {@link CoherencySanitizer}). The cache's line size becomes
     * the overlap tracker's line size. At most one cache per checker.
     */
    public void attachSanitizer(CacheMaintenance cache) {
        CoherencySanitizer s;
        synchronized (lock) {
            if (state.sanitizer != null) {
                throw new IllegalStateException("the sanitizer already watches a cache");
            }
            state.cachelines.lineSize(cache.lineSize());
            s = new CoherencySanitizer(this, cache.lineSize(), cache.coherent());
            delegate.memory().ifPresent(s::owners);
            state.sanitizer = s;
            state.sanitizedCache = cache;
        }
        cache.addObserver(s);
    }

    /**
     * Starts checking what devices touch: every memory access a device attached through this
     * checker makes on {@code platform} is compared with its live mappings (see the class comment).
     * At most one platform per checker.
     *
     * @return false when the platform cannot show device accesses (nothing is checked then)
     */
    public boolean observeDevices(Platform platform) {
        synchronized (lock) { // the platform only records the observer: safe under the lock
            if (observedPlatform != null) {
                throw new IllegalStateException("the checker already observes a platform's devices");
            }
            boolean ok = platform.addDeviceAccessObserver(deviceObserver);
            observedPlatform = ok ? platform : null;
            return ok;
        }
    }

    /** The observer this checker registers with a platform (tests, and platforms of other kinds, may feed it accesses directly). */
    public DeviceAccessObserver deviceAccessObserver() {
        return deviceObserver;
    }

    /** The sanitizer, when one is attached: it is the cache observer (tests may feed it events directly). */
    public Optional<CoherencySanitizer> sanitizer() {
        synchronized (lock) {
            return Optional.ofNullable(state.sanitizer);
        }
    }

    /** Stops observing the cache and the devices. The checker keeps checking API calls. Idempotent. */
    @Override
    public void close() {
        CacheMaintenance c;
        CoherencySanitizer s;
        Platform p;
        synchronized (lock) {
            c = state.sanitizedCache;
            s = state.sanitizer;
            p = observedPlatform;
            state.sanitizedCache = null;
            observedPlatform = null;
        }
        delegate.memory().ifPresent(m -> m.removeRefusalListener(freeWatcher));
        if (c != null) {
            c.removeObserver(s);
        }
        if (p != null) {
            p.removeDeviceAccessObserver(deviceObserver);
        }
    }

    public void addListener(DmaDebugListener l) {
        state.reporter.addListener(l);
    }

    public void removeListener(DmaDebugListener l) {
        state.reporter.removeListener(l);
    }

    // ---- results ---------------------------------------------------------------------------------

    /** Linux debugfs {@code error_count}: every report so far. */
    public long errorCount() {
        synchronized (lock) {
            return state.reporter.errorCount();
        }
    }

    public long count(DmaDebugCategory category) {
        synchronized (lock) {
            return state.reporter.count(category);
        }
    }

    /** The reports so far (the first {@link #MAX_KEPT_REPORTS}), oldest first. */
    public List<DmaDebugReport> reports() {
        synchronized (lock) {
            return state.reporter.reports();
        }
    }

    /** The categories this checker has reported so far (for summaries). */
    public Set<DmaDebugCategory> reportedCategories() {
        synchronized (lock) {
            return state.reporter.reportedCategories();
        }
    }

    /** Forgets reports and counters (not mappings). */
    public void clearReports() {
        synchronized (lock) {
            state.reporter.clear();
        }
    }

    /** Throws a {@link DmaDebugFailure} listing every report so far, when there is any. */
    public void assertNoReports() {
        List<DmaDebugReport> r;
        long n;
        synchronized (lock) {
            r = state.reporter.reports();
            n = state.reporter.errorCount();
        }
        if (n > 0) {
            throw new DmaDebugFailure(r, n);
        }
    }

    /** Linux: the checker disabled itself (the cache-line tracker ran out of room, check 24). */
    public boolean disabled() {
        synchronized (lock) {
            return state.disabled;
        }
    }

    /** Live entries, all devices (Linux {@code nr_total_entries - num_free_entries}). */
    public long liveEntries() {
        synchronized (lock) {
            return state.table.liveEntries();
        }
    }

    /** Most entries live at once. */
    public long maxLiveEntries() {
        synchronized (lock) {
            return state.table.maxLiveEntries();
        }
    }

    /** The live mappings of {@code device}, ordered by device address. */
    public List<DmaMapping> liveMappings(DmaDevice device) {
        synchronized (lock) {
            return state.table.liveMappings(device);
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
        state.attach(device);
    }

    /** Check 15: live mappings of a device being detached are a leak, reported once with a count. */
    @Override
    public void detach(DmaDevice device) {
        state.detach(device);
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
        state.mappingErrorChecked(device, dmaAddress);
        return error;
    }

    @Override
    public CoherentBuffer allocCoherent(DmaDevice device, long size) {
        Throwable origin = origin();
        CoherentBuffer b = callLayer(() -> delegate.allocCoherent(device, size));
        if (b != null && b.dmaAddress() != DMA_MAPPING_ERROR) {
            state.addCoherent(device, b, origin);
        }
        return b;
    }

    @Override
    public void freeCoherent(DmaDevice device, long size, long physical, long dmaAddress) {
        // A streaming mapping of a real coherent allocation refuses the free (reported through freeWatcher) before its entry goes.
        MappingRef ref = new MappingRef(device, dmaAddress, size, physical, DmaMappingType.COHERENT, DmaDirection.BIDIRECTIONAL, 0);
        UnmapWhileInUse.refuseIfHeld(state, lock, delegate, ref, DmaMappingLayer.COHERENT, 1);
        if (FreeWhileMapped.isCoherentAllocation(state, lock, device, dmaAddress)) {
            delegate.memory().ifPresent(m -> m.requireUnmapped(physical, size, "coherent allocation", "coherent"));
        }
        DebugEntry released = state.checkUnmap(ref);
        Throwable site = unmapSite();
        UnmapWhileInUse.run(state, lock, ref, () -> runLayer(() -> delegate.freeCoherent(device, size, physical, dmaAddress)));
        state.released(released, site);
    }

    @Override
    public long mapSingle(DmaDevice device, long physical, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        state.checkArea(device, physical, size, true);
        Throwable origin = origin();
        long dma = callLayer(() -> delegate.mapSingle(device, physical, size, direction, attrs));
        state.addStreaming(device, dma, size, physical, DmaMappingType.SINGLE, direction, attrs, origin);
        return dma;
    }

    @Override
    public void unmapSingle(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        MappingRef ref = new MappingRef(device, dmaAddress, size, -1, DmaMappingType.SINGLE, direction, 0);
        UnmapWhileInUse.refuseIfHeld(state, lock, delegate, ref, DmaMappingLayer.STREAMING, 1);
        DebugEntry released = state.checkUnmap(ref);
        Throwable site = unmapSite();
        UnmapWhileInUse.run(state, lock, ref, () -> runLayer(() -> delegate.unmapSingle(device, dmaAddress, size, direction, attrs)));
        state.released(released, site);
    }

    @Override
    public long mapPage(DmaDevice device, long pagePhysical, long offset, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        state.checkArea(device, pagePhysical + offset, size, false);
        Throwable origin = origin();
        long dma = callLayer(() -> delegate.mapPage(device, pagePhysical, offset, size, direction, attrs));
        state.addStreaming(device, dma, size, pagePhysical + offset, DmaMappingType.PAGE, direction, attrs, origin);
        return dma;
    }

    @Override
    public void unmapPage(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        MappingRef ref = new MappingRef(device, dmaAddress, size, -1, DmaMappingType.PAGE, direction, 0);
        UnmapWhileInUse.refuseIfHeld(state, lock, delegate, ref, DmaMappingLayer.STREAMING, 1);
        DebugEntry released = state.checkUnmap(ref);
        Throwable site = unmapSite();
        UnmapWhileInUse.run(state, lock, ref, () -> runLayer(() -> delegate.unmapPage(device, dmaAddress, size, direction, attrs)));
        state.released(released, site);
    }

    @Override
    public int mapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs) {
        int inputs = Math.min(nents, sg.size());
        for (int i = 0; i < inputs; i++) {
            state.checkArea(device, sg.get(i).physical(), sg.get(i).length(), false);
        }
        Throwable origin = origin();
        int mapped = callLayer(() -> delegate.mapSg(device, sg, nents, direction, attrs));
        if (mapped > 0) {
            state.addScatterList(device, sg, nents, inputs, mapped, direction, attrs, origin);
        }
        return mapped;
    }

    @Override
    public void unmapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs) {
        MappingRef first = UnmapWhileInUse.sgRef(device, sg, nents, direction);
        UnmapWhileInUse.refuseIfHeld(state, lock, delegate, first, DmaMappingLayer.SCATTERLIST, nents);
        List<DebugEntry> released = state.checkUnmaps(state.sgRefs(device, sg, nents, direction));
        Throwable site = unmapSite();
        UnmapWhileInUse.run(state, lock, first, () -> runLayer(() -> delegate.unmapSg(device, sg, nents, direction, attrs)));
        state.released(released, site);
    }

    @Override
    public void syncSingleForCpu(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
        state.checkSync(new MappingRef(device, dmaAddress, size, -1, DmaMappingType.SINGLE, direction, 0), true);
        runLayer(() -> delegate.syncSingleForCpu(device, dmaAddress, size, direction));
    }

    @Override
    public void syncSingleForDevice(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
        DebugEntry e = state.checkSync(new MappingRef(device, dmaAddress, size, -1, DmaMappingType.SINGLE, direction, 0), false);
        runLayer(() -> delegate.syncSingleForDevice(device, dmaAddress, size, direction));
        state.toDevice(e, dmaAddress, size);
    }

    @Override
    public void syncSgForCpu(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        for (MappingRef ref : state.sgRefs(device, sg, nents, direction)) {
            state.checkSync(ref, true);
        }
        runLayer(() -> delegate.syncSgForCpu(device, sg, nents, direction));
    }

    @Override
    public void syncSgForDevice(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        List<DebugEntry> found = new ArrayList<>();
        for (MappingRef ref : state.sgRefs(device, sg, nents, direction)) {
            DebugEntry e = state.checkSync(ref, false);
            if (e != null) {
                found.add(e);
            }
        }
        runLayer(() -> delegate.syncSgForDevice(device, sg, nents, direction));
        for (DebugEntry e : found) {
            state.toDevice(e, e.dmaAddress, e.size);
        }
    }

    @Override
    public long maxMappingSize(DmaDevice device) {
        return callLayer(() -> delegate.maxMappingSize(device));
    }

    // ---- reporting and the layer's own calls ------------------------------------------------------

    private Throwable origin() {
        return options.captureStacks() ? new Throwable("DMA mapping made here") : null;
    }

    private Throwable unmapSite() {
        return options.captureStacks() ? new Throwable("DMA mapping unmapped here") : null;
    }

    /** Makes a report (lock held): {@code text} is the category-specific message. */
    void report(DmaDebugCategory category, DmaDevice device, DebugEntry entry, long line, String text) {
        state.report(category, device, entry, line, text);
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
