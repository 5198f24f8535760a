package org.jdma.kernel.dma.swiotlb;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.OutOfFramesException;
import org.jdma.kernel.mm.Zone;
import org.jdma.platform.Cpu;

/**
 * The bounce-buffer pool (Linux {@code kernel/dma/swiotlb.c}): one physically contiguous region
 * below 4 GiB cut into 2 KiB slots. A mapping takes a run of slots, at most {@link #SEGMENT_SLOTS}
 * (256 KiB) and never across a 128-slot segment, and the mapping layer points the device at the
 * slots instead of the original buffer. The pool is split into areas, each with its own lock and
 * its own next-fit index, so threads mostly take different locks (Linux {@code io_tlb_area}).
 *
 * <p>Copies, as Linux 6.x does them ({@code swiotlb_tbl_map_single}, {@code swiotlb_bounce}):
 * map copies original → bounce for EVERY direction (a device that writes only part of a
 * FROM_DEVICE buffer must not make the unwritten bytes of the original change on unmap);
 * {@link #syncForDevice} copies original → bounce, also unconditionally; {@link #syncForCpu} and
 * {@link #unmap} copy bounce → original when the device may have written (FROM_DEVICE,
 * BIDIRECTIONAL), unmap only without SKIP_CPU_SYNC.
 *
 * <p>Invariant: a slot belongs to at most one live mapping; {@link #usedSlots()} is the number
 * of slots of live mappings.
 */
public final class Swiotlb {

    /** Linux {@code IO_TLB_SHIFT}. */
    public static final int SLOT_SHIFT = 11;
    /** Linux {@code IO_TLB_SIZE}: 2 KiB. */
    public static final long SLOT_SIZE = 1L << SLOT_SHIFT;
    /** Linux {@code IO_TLB_SEGSIZE}: the longest run of slots one mapping may take. */
    public static final int SEGMENT_SLOTS = 128;
    /** Largest mapping: 128 slots = 256 KiB (Linux {@code swiotlb_max_mapping_size} without min_align_mask; see {@link #maxMappingSize}). */
    public static final long MAX_MAPPING_SIZE = SLOT_SIZE * SEGMENT_SLOTS;
    /** Linux {@code IO_TLB_DEFAULT_SIZE}: 64 MiB. */
    public static final long DEFAULT_SIZE = 64L << 20;
    /** Linux {@code IO_TLB_MIN_SLABS}: the pool is not shrunk below 1 MiB when memory is short. */
    public static final long MIN_SIZE = 1L << 20;
    /** Returned by {@link #map} when no run of slots fits. */
    public static final long NO_SLOTS = -1L;

    private static final long PAGE_SIZE = FrameAllocator.FRAME_SIZE;

    /** One live mapping: the slots it holds and where its bytes came from. */
    public record Mapping(long tlbAddress, long original, long size, int firstSlot, int slots) {
        /** One past the last bounce byte of the mapping proper. */
        public long tlbEnd() {
            return tlbAddress + size;
        }
    }

    /** Counters: slots in the pool and in use, live mappings, and map calls refused for lack of slots. */
    public record Stats(long totalSlots, long usedSlots, long liveMappings, long fullFailures) { }

    private final Cpu cpu;
    private final long start;
    private final int slots;
    private final int order;
    private final Area[] areas;
    private final Mapping[] owner;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong fullFailures = new AtomicLong();
    private final AtomicInteger nextArea = new AtomicInteger();
    private final ThreadLocal<Integer> homeArea;
    private final Consumer<String> warnings;

    private static final class Area {
        final ReentrantLock lock = new ReentrantLock();
        final int first;
        final int count;
        final boolean[] busy;
        int index;

        Area(int first, int count) {
            this.first = first;
            this.count = count;
            this.busy = new boolean[count];
        }
    }

    private Swiotlb(Cpu cpu, long start, int order, int slots, int nareas, Consumer<String> warnings) {
        this.cpu = cpu;
        this.start = start;
        this.order = order;
        this.slots = slots;
        this.warnings = warnings;
        this.owner = new Mapping[slots];
        int perArea = slots / nareas;
        this.areas = new Area[slots == 0 ? 0 : nareas];
        for (int a = 0; a < areas.length; a++) {
            areas[a] = new Area(a * perArea, perArea);
        }
        // Linux picks the area of the running CPU; a thread's first use fixes its home area.
        this.homeArea = ThreadLocal.withInitial(() -> areas.length == 0 ? 0 : nextArea.getAndIncrement() & (areas.length - 1));
    }

    /**
     * Allocates the pool from DMA32 frames (Linux {@code swiotlb_init_remap}): {@code bytes}
     * rounded up to a power-of-two block; when no such block is free the size is halved, with a
     * warning, down to {@link #MIN_SIZE}; when even that fails the pool is inactive and every
     * bounce fails. {@code bytes == 0} makes an inactive pool. The frames are allocated for the
     * kernel ({@link FrameAllocator#allocateForKernel}): no driver can map the slots for a device.
     *
     * @param nareas power of two; reduced when the pool is too small to give each area a segment
     */
    public static Swiotlb allocate(Cpu cpu, FrameAllocator frames, long bytes, int nareas, Consumer<String> warnings) {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(frames, "frames");
        Objects.requireNonNull(warnings, "warnings");
        if (bytes < 0 || nareas < 1 || Integer.bitCount(nareas) != 1) {
            throw new IllegalArgumentException("swiotlb: size " + bytes + " must be >= 0 and areas " + nareas + " a power of two");
        }
        if (bytes == 0) {
            return new Swiotlb(cpu, 0, -1, 0, 1, warnings);
        }
        int order = Math.min(FrameAllocator.orderFor(Math.max(bytes, MIN_SIZE)), frames.maxOrder());
        int minOrder = FrameAllocator.orderFor(MIN_SIZE);
        for (int o = order; o >= minOrder; o--) {
            try {
                long phys = frames.allocateForKernel(o, Zone.DMA32);
                long size = PAGE_SIZE << o;
                if (o != order) {
                    warnings.accept(String.format("swiotlb: bounce buffer size adjusted %d -> %d bytes", PAGE_SIZE << order, size));
                }
                int nslots = (int) (size >>> SLOT_SHIFT);
                int areasFit = Math.max(1, Math.min(nareas, nslots / SEGMENT_SLOTS));
                return new Swiotlb(cpu, phys, o, nslots, Integer.highestOneBit(areasFit), warnings);
            } catch (OutOfFramesException e) {
                // Linux retries with half the size: a smaller pool beats none.
            }
        }
        warnings.accept("swiotlb: cannot allocate a bounce buffer below 4 GiB; bounce buffering is inactive");
        return new Swiotlb(cpu, 0, -1, 0, 1, warnings);
    }

    /** Whether the pool has slots (Linux {@code is_swiotlb_active}). */
    public boolean active() {
        return slots > 0;
    }

    /** First physical address of the pool. */
    public long start() {
        return start;
    }

    /** One past the last physical address of the pool. */
    public long end() {
        return start + ((long) slots << SLOT_SHIFT);
    }

    public int areaCount() {
        return areas.length;
    }

    /** Whether {@code phys} is a bounce address (Linux {@code is_swiotlb_buffer}). */
    public boolean contains(long phys) {
        return slots > 0 && phys >= start && phys < end();
    }

    public long usedSlots() {
        return used.get();
    }

    public Stats stats() {
        return new Stats(slots, used.get(), live.get(), fullFailures.get());
    }

    /**
     * Takes a run of slots for {@code original}'s {@code size} bytes, copies the original into it,
     * and returns the bounce address, or {@link #NO_SLOTS}. As Linux 6.x
     * ({@code swiotlb_tbl_map_single}, {@code swiotlb_search_pool_area}):
     * <ul>
     *   <li>the bounce address keeps the original's bits under {@code minAlignMask} (the part of
     *       them below the allocation alignment becomes an offset into the first slots, the rest
     *       is matched by choosing the slot);</li>
     *   <li>the run starts aligned to {@code allocAlignMask + 1} (at least a slot; a page when the
     *       mapping is a page or more and nothing else is asked) and covers offset + size rounded
     *       up to {@code allocAlignMask + 1}, so padding up to the caller's granule belongs to this
     *       mapping (Linux 6.9, the fix for zeroing the bounce-buffer padding of untrusted devices);</li>
     *   <li>it stays inside one 128-slot segment and does not cross the device's segment
     *       boundary ({@code boundaryMask}, on bus addresses {@code phys + busOffset}).</li>
     * </ul>
     *
     * @throws IllegalArgumentException when size is not positive or larger than
     *         {@link #maxMappingSize(long)} for that min-align mask
     */
    public long map(long original, long size, long allocAlignMask, long minAlignMask, long boundaryMask, long busOffset) {
        if (size <= 0 || size > maxMappingSize(minAlignMask)) {
            throw new IllegalArgumentException(String.format(
                    "swiotlb: mapping of %d bytes at %#x; bounce mappings are 1..%d bytes", size, original, maxMappingSize(minAlignMask)));
        }
        if (!active()) {
            return NO_SLOTS;
        }
        long offset = original & minAlignMask & (allocAlignMask | (SLOT_SIZE - 1));
        long alignMask = allocAlignMask;
        long matchMask = minAlignMask;
        if (alignMask == 0 && matchMask == 0 && size >= PAGE_SIZE) {
            alignMask = PAGE_SIZE - 1; // Linux keeps page alignment for page-sized streaming mappings
        }
        alignMask |= SLOT_SIZE - 1;
        matchMask &= ~alignMask;
        long allocBytes = (size + offset + allocAlignMask) & ~allocAlignMask;
        int nslots = (int) ((allocBytes + SLOT_SIZE - 1) >>> SLOT_SHIFT);
        if (nslots > SEGMENT_SLOTS) {
            fullFailures.incrementAndGet();
            return NO_SLOTS;
        }
        int stride = (int) Math.max(1, (Math.max(alignMask, matchMask) + 1) >>> SLOT_SHIFT);
        if (((start + busOffset) & (alignMask | matchMask)) != 0) {
            stride = 1; // aligned slots are not at multiples of the stride: look at every slot
        }
        int home = homeArea.get();
        for (int i = 0; i < areas.length; i++) {
            Area area = areas[(home + i) & (areas.length - 1)];
            Mapping m = takeSlots(area, original, size, offset, nslots, alignMask, matchMask, stride, boundaryMask, busOffset);
            if (m != null) {
                used.addAndGet(nslots);
                live.incrementAndGet();
                try {
                    copy(original, m.tlbAddress(), size);
                } catch (RuntimeException notRam) {
                    // An original the CPU cannot read (not RAM) is refused; the slots go back.
                    freeSlots(m);
                    throw notRam;
                }
                return m.tlbAddress();
            }
        }
        fullFailures.incrementAndGet();
        warnings.accept(String.format("swiotlb buffer is full (sz: %d bytes), total %d (slots), used %d (slots)",
                size, slots, used.get()));
        return NO_SLOTS;
    }

    private Mapping takeSlots(Area area, long original, long size, long offset, int nslots, long alignMask, long matchMask,
                              int stride, long boundaryMask, long busOffset) {
        area.lock.lock();
        try {
            // Start the search from an aligned slot at or after the area's next-fit index.
            int index = area.index - area.index % stride;
            for (int checked = 0; checked < area.count; checked += stride) {
                if (index >= area.count) {
                    index = 0;
                }
                int slot = area.first + index;
                long bus = start + ((long) slot << SLOT_SHIFT) + busOffset;
                if ((bus & alignMask) == 0
                        && (bus & matchMask) == (original & matchMask)
                        && slot % SEGMENT_SLOTS + nslots <= SEGMENT_SLOTS
                        && index + nslots <= area.count
                        && !crossesBoundary(bus, (long) nslots << SLOT_SHIFT, boundaryMask)
                        && free(area, index, nslots)) {
                    Mapping m = new Mapping(start + ((long) slot << SLOT_SHIFT) + offset, original, size, slot, nslots);
                    for (int s = 0; s < nslots; s++) {
                        area.busy[index + s] = true;
                        owner[slot + s] = m;
                    }
                    area.index = (index + nslots) % area.count;
                    return m;
                }
                index += stride;
            }
            return null;
        } finally {
            area.lock.unlock();
        }
    }

    private static boolean free(Area area, int index, int n) {
        for (int s = 0; s < n; s++) {
            if (area.busy[index + s]) {
                return false;
            }
        }
        return true;
    }

    private static boolean crossesBoundary(long bus, long bytes, long boundaryMask) {
        if (boundaryMask == -1L) {
            return false;
        }
        return (bus & boundaryMask) + bytes - 1 > boundaryMask;
    }

    /**
     * Largest mapping for a device with {@code minAlignMask} (Linux {@code swiotlb_max_mapping_size}):
     * 256 KiB less the slots the alignment offset may take.
     */
    public static long maxMappingSize(long minAlignMask) {
        long minAlign = minAlignMask == 0 ? 0 : (minAlignMask + SLOT_SIZE) & ~(SLOT_SIZE - 1);
        return MAX_MAPPING_SIZE - minAlign;
    }

    /** The live mapping whose slots hold {@code tlbAddress}, or null. */
    public Mapping find(long tlbAddress) {
        if (!contains(tlbAddress)) {
            return null;
        }
        return owner[(int) ((tlbAddress - start) >>> SLOT_SHIFT)];
    }

    /**
     * Copies bounce → original for [tlbAddress, + size) (Linux {@code swiotlb_sync_single_for_cpu});
     * the caller calls it only when the mapping's direction lets the device write. A range outside
     * a live mapping is ignored; one running past the mapping's end is cut at it (Linux warns
     * "Buffer overflow detected").
     */
    public void syncForCpu(long tlbAddress, long size) {
        bounce(tlbAddress, size, false);
    }

    /** Copies original → bounce for [tlbAddress, + size), whatever the direction (Linux 6.x {@code swiotlb_sync_single_for_device}). */
    public void syncForDevice(long tlbAddress, long size) {
        bounce(tlbAddress, size, true);
    }

    /**
     * Ends the mapping that starts at {@code tlbAddress}: copies bounce → original when
     * {@code copyBack} (the device may have written and the caller did not ask to skip the CPU
     * sync), then frees its slots (Linux {@code swiotlb_tbl_unmap_single}).
     *
     * @return false when no mapping starts there (nothing changed)
     */
    public boolean unmap(long tlbAddress, boolean copyBack) {
        Mapping m = find(tlbAddress);
        if (m == null || m.tlbAddress() != tlbAddress) {
            return false;
        }
        if (copyBack) {
            copy(m.tlbAddress(), m.original(), m.size());
        }
        return freeSlots(m);
    }

    /** Gives {@code m}'s slots back; false when a concurrent unmap of the same mapping already did. */
    private boolean freeSlots(Mapping m) {
        Area area = areas[(m.firstSlot() / (slots / areas.length))];
        area.lock.lock();
        try {
            if (owner[m.firstSlot()] != m) {
                return false; // a concurrent unmap of the same mapping won
            }
            for (int s = 0; s < m.slots(); s++) {
                owner[m.firstSlot() + s] = null;
                area.busy[m.firstSlot() - area.first + s] = false;
            }
        } finally {
            area.lock.unlock();
        }
        used.addAndGet(-m.slots());
        live.decrementAndGet();
        return true;
    }

    private void bounce(long tlbAddress, long size, boolean toDevice) {
        Mapping m = find(tlbAddress);
        if (m == null || tlbAddress >= m.tlbEnd() || size <= 0) {
            return;
        }
        long offset = tlbAddress - m.tlbAddress();
        long n = Math.min(size, m.size() - offset);
        if (toDevice) {
            copy(m.original() + offset, tlbAddress, n);
        } else {
            copy(tlbAddress, m.original() + offset, n);
        }
    }

    private void copy(long from, long to, long n) {
        byte[] tmp = new byte[(int) n];
        cpu.read(from, tmp);
        cpu.write(to, tmp);
    }

    /**
     * Restarts every area's next-fit search at the area's first slot, as in a pool just allocated,
     * so that the same map calls get the same bounce addresses again. Only for an idle pool: a
     * harness that runs independent workloads one after another on one kernel (the DMA-API fuzz
     * target) calls it between them, once every device is detached. Linux has no such call (its
     * pool lives as long as the kernel).
     *
     * @throws IllegalStateException when a mapping is live (naming how many slots it holds)
     */
    public void rewind() {
        for (Area area : areas) {
            area.lock.lock();
        }
        try {
            if (used.get() != 0) {
                throw new IllegalStateException(String.format("swiotlb at %#x: cannot rewind with %d slots of %d mappings in use",
                        start, used.get(), live.get()));
            }
            for (Area area : areas) {
                area.index = 0;
            }
        } finally {
            for (Area area : areas) {
                area.lock.unlock();
            }
        }
    }

    /** Returns the pool's frames (the layer is shutting down); the pool is unusable afterwards. */
    public void release(FrameAllocator frames) {
        if (order >= 0 && used.get() == 0) {
            frames.free(start, order);
        } else if (order >= 0) {
            throw new IllegalStateException(String.format("swiotlb at %#x still has %d slots in use", start, used.get()));
        }
    }

    @Override
    public String toString() {
        return active()
                ? String.format("swiotlb [%#x, %#x) %d slots in %d areas, %d used", start, end(), slots, areas.length, used.get())
                : "swiotlb (inactive)";
    }
}
