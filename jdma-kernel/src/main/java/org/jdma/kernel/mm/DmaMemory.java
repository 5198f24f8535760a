package org.jdma.kernel.mm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jdma.platform.Cpu;

/**
 * Where DMA buffers come from: contiguous frames from a {@link FrameAllocator}, reached by the CPU
 * through {@link Cpu} loads and stores. Keeps the {@link DmaUseTracker}s that a buffer consults
 * before it frees its frames.
 *
 * <p>It is also where the kernel knows who owns which bytes: the {@link DmaPins} of every live DMA
 * mapping (a free of pinned memory, whatever allocator it came from, is refused with a
 * {@link MemoryInUseException}), and {@link #ownerAt}, which answers from the frame allocator, the
 * live buffers and registered {@link SubAllocator}s (DMA pools) whether a byte is free or whose it is.
 */
public final class DmaMemory {

    private final Cpu cpu;
    private final FrameAllocator frames;
    private final List<DmaUseTracker> trackers = new CopyOnWriteArrayList<>();
    private final List<Consumer<MemoryInUseException>> refusalListeners = new CopyOnWriteArrayList<>();
    private final DmaPins pins;
    private final Map<Long, DmaBuffer> buffers = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, SubRange> subAllocators = new ConcurrentSkipListMap<>();

    private record SubRange(long end, SubAllocator allocator) { }

    public DmaMemory(Cpu cpu, FrameAllocator frames) {
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.frames = Objects.requireNonNull(frames, "frames");
        this.pins = new DmaPins();
        if (frames instanceof BuddyFrameAllocator b) {
            b.addFreeGuard(this::requireUnmapped); // frames freed by anyone: refused while mapped
        }
    }

    public Cpu cpu() {
        return cpu;
    }

    public FrameAllocator frames() {
        return frames;
    }

    /** No limit: any frame will do (a device that drives all 64 address bits). */
    public static final long NO_LIMIT = -1L;
    /** The last byte below 4 GiB: what a device that drives 32 address bits can reach. */
    public static final long LIMIT_4GIB = 0xFFFF_FFFFL;
    /**
     * The last byte below 16 MiB, the top of zone DMA: what a device that drives 24 address bits
     * can reach (an ISA DMA channel, or a PCI device with a 24-bit mask).
     */
    public static final long LIMIT_16MIB = 0xFF_FFFFL;

    /** A zeroed buffer anywhere in RAM. See {@link #allocate(long, long, long)}. */
    public DmaBuffer allocate(long size, long align) {
        return allocate(size, align, NO_LIMIT);
    }

    /**
     * Allocates a physically contiguous, zeroed buffer of {@code size} bytes whose physical address
     * is a multiple of {@code align} and whose block lies, whole, at or below
     * {@code physicalLimit} (unsigned; {@link #NO_LIMIT} for anywhere).
     *
     * <p>The limit picks the zone as Linux's {@code dma_direct_optimal_gfp_mask} does:
     * {@link #NO_LIMIT} takes NORMAL frames (falling back to DMA32 and DMA); a limit from 4 GiB - 1
     * up takes DMA32 frames, which every such limit covers; a limit from 16 MiB - 1 up to 4 GiB - 1
     * tries DMA32 and, when the block lands above the limit, gives it back and takes zone DMA
     * (Linux {@code __dma_direct_alloc_pages} retrying with {@code GFP_DMA}); a limit below 16 MiB -
     * 1 is refused: no zone lies wholly below it.
     *
     * <p>Frames come in power-of-two blocks aligned to their size, so an alignment above 4096 is
     * honoured by allocating a block at least {@code align} bytes large. A size of 0 still takes one
     * frame (the buffer has a real, unique address and {@link DmaBuffer#isEmpty()} is true).
     *
     * @throws IllegalArgumentException when size is negative, align is not a power of two, the
     *         limit is below 16 MiB - 1 (naming the limit), or the block would exceed the
     *         allocator's largest order
     * @throws OutOfFramesException when no block is free in the zone (a retry can succeed after frees)
     */
    public DmaBuffer allocate(long size, long align, long physicalLimit) {
        if (size < 0) {
            throw new IllegalArgumentException("DMA buffer size must not be negative, was " + size);
        }
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("DMA buffer alignment must be a non-zero power of two, was " + align);
        }
        List<Zone> zones = zonesFor(physicalLimit);
        int sizeOrder = FrameAllocator.orderFor(Math.max(size, 1));
        int alignOrder = align <= FrameAllocator.FRAME_SIZE ? 0 : Long.numberOfTrailingZeros(align) - FrameAllocator.FRAME_SHIFT;
        int order = Math.max(sizeOrder, alignOrder);
        if (order > frames.maxOrder()) {
            throw new IllegalArgumentException(String.format(
                    "DMA buffer of %d bytes aligned to %d needs a block of order %d; the allocator's largest is %d",
                    size, align, order, frames.maxOrder()));
        }
        long blockBytes = (long) FrameAllocator.FRAME_SIZE << order;
        long phys = -1;
        for (Zone zone : zones) {
            phys = frames.allocate(order, zone);
            if (Long.compareUnsigned(phys + blockBytes - 1, physicalLimit) <= 0 && phys % align == 0) {
                // Zero the whole block, not just size: nothing a previous owner left may reach a device.
                cpu.fill(phys, blockBytes, (byte) 0);
                DmaBuffer b = new DmaBuffer(this, phys, size, order, align, physicalLimit);
                buffers.put(phys, b);
                return b;
            }
            frames.free(phys, order);
        }
        throw new IllegalStateException(String.format(
                "frame allocator returned [%#x, +%#x) for zone %s, beyond the limit %#x or not aligned to %d",
                phys, blockBytes, zones.getLast(), physicalLimit, align));
    }

    /**
     * The zones to try, in order, for blocks at or below {@code physicalLimit}: each one's frames
     * lie below the limit, except DMA32 under a limit below 4 GiB - 1, whose block is checked and
     * followed by zone DMA.
     */
    private static List<Zone> zonesFor(long physicalLimit) {
        if (physicalLimit == NO_LIMIT) {
            return List.of(Zone.NORMAL);
        }
        if (Long.compareUnsigned(physicalLimit, LIMIT_4GIB) >= 0) {
            return List.of(Zone.DMA32);
        }
        if (Long.compareUnsigned(physicalLimit, LIMIT_16MIB) >= 0) {
            return List.of(Zone.DMA32, Zone.DMA);
        }
        throw new IllegalArgumentException(String.format(
                "no zone lies at or below the physical limit %#x: the lowest zone, DMA, reaches up to %#x (16 MiB)",
                physicalLimit, LIMIT_16MIB));
    }

    /** The pins of every live DMA mapping of this memory (the mapping layer keeps them). */
    public DmaPins pins() {
        return pins;
    }

    /**
     * Refuses to free [address, address + length) while a live DMA mapping covers any byte of it.
     *
     * @param what what is being freed, for the message ("DMA buffer", "frames", "coherent allocation")
     * @throws MemoryInUseException naming the range and the mapping (device, bus address,
     *         direction); listeners ({@link #addRefusalListener}: the checker) hear of it first
     */
    public void requireUnmapped(long address, long length, String what) {
        requireUnmapped(address, length, what, null);
    }

    /**
     * As {@link #requireUnmapped(long, long, String)}, not counting mappings of kind
     * {@code ignoredKind} ({@link LiveMapping#kind()}): a DMA pool frees a block of its own
     * coherent page, which that page's coherent mapping of course covers.
     */
    public void requireUnmapped(long address, long length, String what, String ignoredKind) {
        Optional<LiveMapping> m = pins.find(address, length, ignoredKind);
        if (m.isPresent()) {
            MemoryInUseException e = new MemoryInUseException(what, address, length, m.get(),
                    "still mapped: " + m.get() + "; unmap it first");
            refusalListeners.forEach(l -> l.accept(e));
            throw e;
        }
    }

    /**
     * The first frame of [address, address + length) that no device may be given, or -1: a frame
     * the frame allocator holds free, or one the kernel holds for its own structures
     * ({@link FrameAllocator#allocateForKernel}). Nobody owns a free frame: a device mapped to it
     * would reach memory the allocator will hand to someone else (a page table, another driver's
     * buffer) while the mapping lives. A device that reached the kernel's own frames could rewrite
     * the IOMMU's tables, or the kernel would write over them when a bounce buffer is copied back.
     * The mapping layer refuses both. Memory the allocator does not manage (device memory, reserved
     * ranges) is not judged (-1). {@link #isKernelHeld} tells the two reasons apart.
     */
    public long firstUnmappableFrame(long address, long length) {
        return frames instanceof BuddyFrameAllocator buddy ? buddy.firstUnmappableFrame(address, length) : -1;
    }

    /** True when {@code address} lies in frames the kernel holds for its own structures. */
    public boolean isKernelHeld(long address) {
        return frames instanceof BuddyFrameAllocator buddy && buddy.isKernelHeld(address);
    }

    /** Hears of every free {@link #requireUnmapped} refuses (the DMA-API checker reports them). */
    public void addRefusalListener(Consumer<MemoryInUseException> listener) {
        refusalListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeRefusalListener(Consumer<MemoryInUseException> listener) {
        refusalListeners.remove(listener);
    }

    /** {@code allocator} answers for [base, base + length) from now on (a DMA pool's page). */
    public void addSubAllocator(long base, long length, SubAllocator allocator) {
        subAllocators.put(base, new SubRange(base + length, Objects.requireNonNull(allocator, "allocator")));
    }

    public void removeSubAllocator(long base) {
        subAllocators.remove(base);
    }

    /**
     * Who owns the byte at {@code physical}: a sub-allocator's piece (live or free), a live DMA
     * buffer, another allocated block of frames, or free frames; null when the frame allocator does
     * not manage the byte (not RAM, reserved) or cannot say. Never blocks on DMA-API locks.
     */
    public MemoryOwner ownerAt(long physical) {
        Map.Entry<Long, SubRange> sub = subAllocators.floorEntry(physical);
        if (sub != null && physical < sub.getValue().end()) {
            return sub.getValue().allocator().ownerAt(physical);
        }
        if (!(frames instanceof BuddyFrameAllocator buddy)) {
            return null;
        }
        BuddyFrameAllocator.Block block = buddy.allocatedBlockAt(physical);
        if (block == null) {
            long frame = physical & -(long) FrameAllocator.FRAME_SIZE;
            return buddy.managedRanges().stream().anyMatch(r -> r.contains(physical))
                    ? new MemoryOwner(frame, FrameAllocator.FRAME_SIZE, false, String.format("free frame %#x", frame)) : null;
        }
        DmaBuffer b = buffers.get(block.physical());
        return new MemoryOwner(block.physical(), block.bytes(), true, b != null ? b.toString() : "frames " + block);
    }

    void forget(DmaBuffer buffer) {
        buffers.remove(buffer.physicalAddress(), buffer);
    }

    public void addUseTracker(DmaUseTracker tracker) {
        trackers.add(Objects.requireNonNull(tracker, "tracker"));
    }

    public void removeUseTracker(DmaUseTracker tracker) {
        trackers.remove(tracker);
    }

    /** The first use any tracker reports of physical [address, address + length), or empty. */
    Optional<String> useOf(long address, long length) {
        for (DmaUseTracker t : trackers) {
            Optional<String> use = t.useOf(address, length);
            if (use.isPresent()) {
                return use;
            }
        }
        return Optional.empty();
    }
}
