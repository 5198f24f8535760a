package org.jdma.kernel.dma;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.jfr.DmaMapEvent;
import org.jdma.kernel.jfr.DmaUnmapEvent;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.DmaPins;
import org.jdma.kernel.mm.MappingHold;
import org.jdma.kernel.mm.MemoryInUseException;
import org.jdma.kernel.iommu.Iommu;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.mm.PhysicalRange;
import org.jdma.platform.Cpu;
import org.jdma.platform.CacheMaintenance;

/**
 * The kernel's DMA-mapping layer (Linux {@code kernel/dma/mapping.c} with its backends): every
 * call validates its arguments, then dispatches to the backend chosen for the device when it was
 * attached:
 * <ul>
 *   <li>{@link DirectBackend}: no IOMMU translates the device (none, or an IDENTITY domain): bus
 *       address = physical + bus offset, bounced through the {@link Swiotlb} when beyond the mask
 *       or when bouncing is forced;</li>
 *   <li>{@link IommuBackend}: the device is in a translated domain.</li>
 * </ul>
 * Cache maintenance on a non-coherent machine follows arm64 ({@link CacheSync}); for bounced
 * mappings it covers the bounce copy the device really reads and writes. The debug checker is a
 * decorator over {@link DmaApi}, not part of this class.
 *
 * <p>Warnings Linux prints (swiotlb full, address overflow, "Using 64-bit DMA addresses") go to
 * {@link #addWarningListener listeners} and the last few are kept ({@link #recentWarnings()}).
 *
 * <p>Every live mapping and coherent allocation is pinned in the memory's {@link DmaPins} (its
 * CPU-side bytes, whatever the backend), so no allocator frees memory a device may still reach.
 * Per map that is one hash insert into preallocated slot arrays and an insert into the device's
 * bus-ordered index, per unmap the same removals. The pins are also the device side's record:
 * what each device may reach, and which mappings descriptors in flight hold ({@link DmaInFlight});
 * an unmap or coherent free of a held mapping is refused with {@link DmaError.InUse} and changes
 * nothing.
 *
 * <p>Thread-safe: devices, their mapping records and each bounce-pool area are separately locked.
 */
public final class DmaMappingLayer implements DmaApi {

    private static final int RECENT_WARNINGS = 32;
    /** {@link org.jdma.kernel.mm.LiveMapping#kind()} of a single or page mapping. */
    public static final String STREAMING = "streaming";
    /** {@link org.jdma.kernel.mm.LiveMapping#kind()} of a scatterlist entry's mapping. */
    public static final String SCATTERLIST = "scatterlist";
    /** {@link org.jdma.kernel.mm.LiveMapping#kind()} of a coherent allocation. */
    public static final String COHERENT = "coherent";
    private static final int BOTH = DmaPins.DEVICE_READS | DmaPins.DEVICE_WRITES;

    private final Optional<Iommu> iommu;
    private final DmaMemory memory;
    private final DmaPins pins;
    private final MappingOptions options;
    private final BouncePool bounce;
    private final DirectBackend direct;
    private final IommuBackend translated;
    private final ConcurrentHashMap<DmaDevice, DeviceState> devices = new ConcurrentHashMap<>();
    private final List<Consumer<String>> warningListeners = new CopyOnWriteArrayList<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private final LongAdder maps = new LongAdder();
    private final LongAdder unmaps = new LongAdder();
    private final LongAdder syncs = new LongAdder();

    /**
     * Streaming DMA-API calls made so far, over every device (a scatterlist call counts once per
     * entry): what a CPU cost model charges for mapping work.
     *
     * @param maps   successful and failed map calls (single, page, scatterlist entries)
     * @param unmaps unmap calls
     * @param syncs  sync calls, for the CPU or for the device
     */
    public record Counts(long maps, long unmaps, long syncs) {
        /** These counts minus {@code earlier}'s. */
        public Counts minus(Counts earlier) {
            return new Counts(maps - earlier.maps, unmaps - earlier.unmaps, syncs - earlier.syncs);
        }
    }

    /** A layer whose cache maintenance goes to the machine's CPU cache. */
    public DmaMappingLayer(DmaMemory memory, Optional<Iommu> iommu, MappingOptions options) {
        this(memory, memory.cpu().cache(), iommu, options);
    }

    /**
     * A layer whose cache maintenance (clean, invalidate, memory type, and whether the machine is
     * coherent) goes to {@code maintenance}; copies and zeroing still go through the CPU. Tests
     * use this to record or to pose as a non-coherent cache.
     */
    public DmaMappingLayer(DmaMemory memory, CacheMaintenance maintenance, Optional<Iommu> iommu, MappingOptions options) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(maintenance, "maintenance");
        this.memory = memory;
        this.pins = memory.pins();
        this.iommu = Objects.requireNonNull(iommu, "iommu");
        this.options = Objects.requireNonNull(options, "options");
        Cpu cpu = memory.cpu();
        Consumer<String> warn = this::warn;
        this.bounce = new BouncePool(cpu, memory.frames(), options, warn);
        LayerContext ctx = new LayerContext(cpu, new CacheSync(maintenance), memory.frames(), bounce, warn);
        this.direct = new DirectBackend(ctx, options.busOffset(), options.forceBounce(), ramEnd(memory));
        this.translated = new IommuBackend(ctx);
    }

    private static long ramEnd(DmaMemory memory) {
        if (memory.frames() instanceof BuddyFrameAllocator buddy) {
            return buddy.managedRanges().stream().mapToLong(PhysicalRange::end).max().orElse(0);
        }
        return Long.MAX_VALUE; // unknown: assume RAM reaches beyond every mask below 64 bits
    }

    /** The streaming calls counted so far. */
    public Counts counts() {
        return new Counts(maps.sum(), unmaps.sum(), syncs.sum());
    }

    /** The memory this layer maps and allocates from; its pins hold every live mapping. */
    @Override
    public Optional<DmaMemory> memory() {
        return Optional.of(memory);
    }

    public MappingOptions options() {
        return options;
    }

    /**
     * The bounce-buffer pool, allocated now if no mapping needed it yet (see {@link BouncePool}):
     * inactive when its size is 0 or no memory below 4 GiB was free.
     */
    public Swiotlb swiotlb() {
        return bounce.get();
    }

    public Optional<Iommu> iommu() {
        return iommu;
    }

    /** The IOMMU domain that translates {@code device}'s DMA, if any. */
    public Optional<IommuDomain> domainOf(DmaDevice device) {
        return Optional.ofNullable(state(device, "domainOf").domain);
    }

    /** "direct", "direct (swiotlb=force)" or "iommu": which backend serves the device. */
    public String backendName(DmaDevice device) {
        return state(device, "backendName").backend.name();
    }

    public boolean isAttached(DmaDevice device) {
        return devices.containsKey(device);
    }

    /**
     * Streaming mappings of {@code device} that hold something the layer must give back: IOVA
     * space or bounce slots (single mappings and mapped scatterlists). A direct mapping that was
     * not bounced holds nothing and is not counted (Linux keeps no record of it either; the
     * checker, {@code dma.debug}, tracks every mapping).
     */
    public int liveMappings(DmaDevice device) {
        return state(device, "liveMappings").liveCount();
    }

    /** Live coherent allocations of {@code device}. */
    public int liveCoherent(DmaDevice device) {
        return state(device, "liveCoherent").coherentCount();
    }

    public void addWarningListener(Consumer<String> listener) {
        warningListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeWarningListener(Consumer<String> listener) {
        warningListeners.remove(listener);
    }

    /** The last warnings, oldest first. */
    public List<String> recentWarnings() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    private void warn(String message) {
        synchronized (recent) {
            if (recent.size() == RECENT_WARNINGS) {
                recent.removeFirst();
            }
            recent.addLast(message);
        }
        for (Consumer<String> l : warningListeners) {
            l.accept(message);
        }
    }

    // ---- validation -------------------------------------------------------------------------

    private DeviceState state(DmaDevice device, String call) {
        if (device == null) { // the message is built only on failure: these checks run on every map and unmap
            throw new NullPointerException(call + ": device");
        }
        DeviceState st = device.attached();
        if (st != null && st.layer == this) {
            return st;
        }
        st = devices.get(device);
        if (st == null) {
            throw new IllegalArgumentException(call + ": device " + device + " is not attached to the DMA-mapping layer");
        }
        return st;
    }

    private static void checkDirection(DmaDirection direction, String call, DmaDevice device) {
        if (direction == null) {
            throw new NullPointerException(call + ": direction");
        }
        if (direction == DmaDirection.NONE) {
            throw new IllegalArgumentException(call + ": direction NONE gives " + device.name() + " no access; nothing to map or sync");
        }
    }

    private static void checkRange(long address, long size, String what, String call, DmaDevice device) {
        if (size <= 0) {
            throw new IllegalArgumentException(String.format("%s: %s: size must be positive, was %d", call, device.name(), size));
        }
        if (address + size < address && address + size != 0) {
            throw new IllegalArgumentException(String.format("%s: %s: %s range [%#x, +%#x) wraps past 2^64",
                    call, device.name(), what, address, size));
        }
    }

    /**
     * Refuses to map memory nobody allocated, or memory the kernel holds for itself
     * ({@link DmaMemory#firstUnmappableFrame}); {@code entry} -1 for no scatterlist.
     */
    private void checkAllocated(long address, long size, String call, int entry, DmaDevice device) {
        long frame = memory.firstUnmappableFrame(address, size);
        if (frame >= 0) {
            String why = memory.isKernelHeld(frame)
                    ? "which the kernel holds for its own structures (the IOMMU's tables and queues, the bounce pool); map only memory the driver owns"
                    : "which the frame allocator holds free; map only allocated memory";
            throw new IllegalArgumentException(String.format("%s: %s: %s [%#x, +%#x) includes frame %#x, %s",
                    call, device.name(), entry < 0 ? "buffer" : "entry " + entry, address, size, frame, why));
        }
    }

    private static boolean skip(Set<DmaAttr> attrs, String call) {
        if (attrs == null) {
            throw new NullPointerException(call + ": attrs (pass an empty set)");
        }
        return attrs.contains(DmaAttr.SKIP_CPU_SYNC);
    }

    private static void checkSg(ScatterList sg, int nents, String call, DmaDevice device) {
        if (sg == null) {
            throw new NullPointerException(call + ": sg");
        }
        if (nents < 1 || nents > sg.size()) {
            throw new IllegalArgumentException(String.format("%s: %s: nents %d outside 1..%d (the list's length)",
                    call, device.name(), nents, sg.size()));
        }
    }

    // ---- DmaApi -------------------------------------------------------------------------------

    @Override
    public void attach(DmaDevice device) {
        Objects.requireNonNull(device, "attach: device");
        IommuDomain domain = iommu.flatMap(i -> i.domainOf(device.requester())).orElse(null);
        Backend backend = domain == null || domain.type() == IommuDomain.Type.IDENTITY ? direct : translated;
        DeviceState st = new DeviceState(this, device, backend, backend == translated ? domain : null);
        if (devices.putIfAbsent(device, st) != null) {
            throw new IllegalStateException("attach: " + device + " is already attached");
        }
        device.attached(st);
    }

    @Override
    public void detach(DmaDevice device) {
        DeviceState st = state(device, "detach");
        devices.remove(device);
        if (device.attached() == st) {
            device.attached(null);
        }
        pins.unpinDevice(st.device);
        for (DeviceState.Live m : st.drainLive()) {
            st.backend.release(st, m);
        }
        for (DeviceState.Coherent c : st.drainCoherent()) {
            st.backend.freeCoherent(st, c);
        }
    }

    @Override
    public boolean setMask(DmaDevice device, DmaMask mask) {
        DeviceState st = state(device, "setMask");
        Objects.requireNonNull(mask, "setMask: mask");
        if (refused(st, device, "dma_set_mask", mask)) {
            return false;
        }
        device.dmaMask(mask);
        return true;
    }

    @Override
    public boolean setCoherentMask(DmaDevice device, DmaMask mask) {
        DeviceState st = state(device, "setCoherentMask");
        Objects.requireNonNull(mask, "setCoherentMask: mask");
        if (refused(st, device, "dma_set_coherent_mask", mask)) {
            return false;
        }
        device.coherentMask(mask);
        return true;
    }

    /** Whether the device's backend cannot honour {@code mask}; if so, a warning names the mask and why. */
    private boolean refused(DeviceState st, DmaDevice device, String call, DmaMask mask) {
        Optional<String> why = st.backend.maskRefusal(st, mask);
        why.ifPresent(reason -> warn(String.format("%s: %s(%s) refused: %s", device.name(), call, mask, reason)));
        return why.isPresent();
    }

    @Override
    public boolean mappingError(DmaDevice device, long dmaAddress) {
        return dmaAddress == DMA_MAPPING_ERROR;
    }

    @Override
    public CoherentBuffer allocCoherent(DmaDevice device, long size) {
        DeviceState st = state(device, "allocCoherent");
        if (size <= 0) {
            throw new IllegalArgumentException("allocCoherent: " + device.name() + ": size must be positive, was " + size);
        }
        if (size > (1L << 62)) {
            return null;
        }
        CoherentBuffer b = st.backend.allocCoherent(st, size);
        if (b != null) {
            pins.pin(b.physical(), size, st.device, b.dmaAddress(), DmaDirection.BIDIRECTIONAL, BOTH, COHERENT);
        }
        return b;
    }

    @Override
    public void freeCoherent(DmaDevice device, long size, long physical, long dmaAddress) {
        DeviceState st = state(device, "freeCoherent");
        DeviceState.Coherent c = st.takeCoherent(physical);
        if (c == null) {
            // Best effort, as the contract says: nothing of ours lives there; the checker reports it.
            warn(String.format("%s: freeCoherent of %#x (dma %#x, %d bytes): no such coherent allocation", device.name(), physical, dmaAddress, size));
            return;
        }
        MappingHold held = pins.unpin(st.device, c.dma(), COHERENT, 1);
        if (held != null) {
            st.addCoherent(c);
            throw DmaInFlight.inUse(device, held);
        }
        try {
            // Another mapping of these bytes (a streaming map of coherent memory) keeps them allocated.
            // The whole block is checked, not only the bytes asked for: the frame allocator refuses
            // the block if a mapping covers its tail, and that refusal must come before anything is undone.
            memory.requireUnmapped(c.physical(), (long) FrameAllocator.FRAME_SIZE << c.order(), "coherent allocation");
        } catch (MemoryInUseException e) {
            pins.pin(c.physical(), c.size(), st.device, c.dma(), DmaDirection.BIDIRECTIONAL, BOTH, COHERENT);
            st.addCoherent(c);
            throw e;
        }
        st.backend.freeCoherent(st, c);
    }

    /** Pins a successful streaming map; returns {@code dma}. */
    private long pinned(DeviceState st, long physical, long size, long dma, DmaDirection direction) {
        if (dma != DMA_MAPPING_ERROR) {
            pins.pin(physical, size, st.device, dma, direction, DmaInFlight.accessBits(direction), STREAMING);
        }
        return dma;
    }

    @Override
    public long mapSingle(DmaDevice device, long physical, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        DeviceState st = state(device, "mapSingle");
        checkDirection(direction, "mapSingle", device);
        checkRange(physical, size, "buffer", "mapSingle", device);
        checkAllocated(physical, size, "mapSingle", -1, device);
        maps.increment();
        DmaMapEvent event = DmaMapEvent.start();
        long dma = pinned(st, physical, size, st.backend.map(st, physical, size, direction, skip(attrs, "mapSingle")), direction);
        if (event != null) {
            event.finish(device.name(), size, direction.name(), physical, dma, 1, st.backend.name(), dma == DMA_MAPPING_ERROR);
        }
        return dma;
    }

    @Override
    public void unmapSingle(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        DeviceState st = state(device, "unmapSingle");
        checkDirection(direction, "unmapSingle", device);
        // Best effort, as Linux without dma-debug: an address nothing is mapped at releases nothing.
        MappingHold held = pins.unpin(st.device, dmaAddress, STREAMING, 1);
        if (held != null) {
            throw DmaInFlight.inUse(device, held);
        }
        unmaps.increment();
        DmaUnmapEvent event = DmaUnmapEvent.start();
        st.backend.unmap(st, dmaAddress, size, direction, skip(attrs, "unmapSingle"));
        if (event != null) {
            event.finish(device.name(), size, direction.name(), dmaAddress, 1, st.backend.name());
        }
    }

    @Override
    public long mapPage(DmaDevice device, long pagePhysical, long offset, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        DeviceState st = state(device, "mapPage");
        checkDirection(direction, "mapPage", device);
        if (offset < 0) {
            throw new IllegalArgumentException("mapPage: " + device.name() + ": offset must not be negative, was " + offset);
        }
        checkRange(pagePhysical + offset, size, "buffer", "mapPage", device);
        checkAllocated(pagePhysical + offset, size, "mapPage", -1, device);
        maps.increment();
        DmaMapEvent event = DmaMapEvent.start();
        long dma = pinned(st, pagePhysical + offset, size, st.backend.map(st, pagePhysical + offset, size, direction,
                skip(attrs, "mapPage")), direction);
        if (event != null) {
            event.finish(device.name(), size, direction.name(), pagePhysical + offset, dma, 1, st.backend.name(), dma == DMA_MAPPING_ERROR);
        }
        return dma;
    }

    @Override
    public void unmapPage(DmaDevice device, long dmaAddress, long size, DmaDirection direction, Set<DmaAttr> attrs) {
        unmapSingle(device, dmaAddress, size, direction, attrs);
    }

    @Override
    public int mapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs) {
        DeviceState st = state(device, "mapSg");
        checkDirection(direction, "mapSg", device);
        checkSg(sg, nents, "mapSg", device);
        for (int i = 0; i < nents; i++) {
            ScatterList.Entry e = sg.get(i);
            checkAllocated(e.physical(), e.length(), "mapSg", i, device);
        }
        maps.add(nents);
        DmaMapEvent event = DmaMapEvent.start();
        int count = st.backend.mapSg(st, sg, nents, direction, skip(attrs, "mapSg"));
        if (count > 0) {
            // Entry i's CPU bytes, and device segment i (fewer segments than entries when merged).
            long key = sg.get(0).dmaAddress();
            int bits = DmaInFlight.accessBits(direction);
            for (int i = 0; i < nents; i++) {
                ScatterList.Entry e = sg.get(i);
                pins.pin(e.physical(), e.length(), st.device, key, i < count ? e.dmaAddress() : key, i < count ? e.dmaLength() : 0,
                        direction, bits, SCATTERLIST);
            }
        }
        if (event != null) {
            event.finish(device.name(), sg.lengthOf(nents), direction.name(), sg.get(0).physical(),
                    count > 0 ? sg.get(0).dmaAddress() : DMA_MAPPING_ERROR, nents, st.backend.name(), count <= 0);
        }
        return count;
    }

    @Override
    public void unmapSg(DmaDevice device, ScatterList sg, int nents, DmaDirection direction, Set<DmaAttr> attrs) {
        DeviceState st = state(device, "unmapSg");
        checkDirection(direction, "unmapSg", device);
        checkSg(sg, nents, "unmapSg", device);
        MappingHold held = pins.unpin(st.device, sg.get(0).dmaAddress(), SCATTERLIST, nents);
        if (held != null) {
            throw DmaInFlight.inUse(device, held);
        }
        unmaps.add(nents);
        DmaUnmapEvent event = DmaUnmapEvent.start();
        st.backend.unmapSg(st, sg, nents, direction, skip(attrs, "unmapSg"));
        if (event != null) {
            event.finish(device.name(), sg.lengthOf(nents), direction.name(), sg.get(0).dmaAddress(), nents, st.backend.name());
        }
    }

    @Override
    public void syncSingleForCpu(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
        DeviceState st = state(device, "syncSingleForCpu");
        checkDirection(direction, "syncSingleForCpu", device);
        checkRange(dmaAddress, size, "device", "syncSingleForCpu", device);
        syncs.increment();
        st.backend.syncForCpu(st, dmaAddress, size, direction);
    }

    @Override
    public void syncSingleForDevice(DmaDevice device, long dmaAddress, long size, DmaDirection direction) {
        DeviceState st = state(device, "syncSingleForDevice");
        checkDirection(direction, "syncSingleForDevice", device);
        checkRange(dmaAddress, size, "device", "syncSingleForDevice", device);
        syncs.increment();
        st.backend.syncForDevice(st, dmaAddress, size, direction);
    }

    @Override
    public void syncSgForCpu(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        DeviceState st = state(device, "syncSgForCpu");
        checkDirection(direction, "syncSgForCpu", device);
        checkSg(sg, nents, "syncSgForCpu", device);
        syncs.add(nents);
        st.backend.syncSgForCpu(st, sg, nents, direction);
    }

    @Override
    public void syncSgForDevice(DmaDevice device, ScatterList sg, int nents, DmaDirection direction) {
        DeviceState st = state(device, "syncSgForDevice");
        checkDirection(direction, "syncSgForDevice", device);
        checkSg(sg, nents, "syncSgForDevice", device);
        syncs.add(nents);
        st.backend.syncSgForDevice(st, sg, nents, direction);
    }

    @Override
    public long maxMappingSize(DmaDevice device) {
        DeviceState st = state(device, "maxMappingSize");
        return st.backend.maxMappingSize(st);
    }
}
