package org.jdma.kernel.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jdma.platform.MemoryMapEntry;

/**
 * A binary buddy allocator of 4 KiB frames over the firmware memory map, in the style of Linux's
 * page allocator ({@code mm/page_alloc.c}): per zone and per order a set of free blocks; allocate
 * takes the smallest free block that is large enough and splits it, halving, until it has the
 * requested order; free merges a block with its buddy (the block whose frame number differs only
 * in bit {@code order}) for as long as the buddy is free and of the same order.
 *
 * <h2>What is managed</h2>
 * {@link #fromMemoryMap} takes the RAM entries of the map, rounded inwards to whole frames, and
 * removes: every frame that a RESERVED entry of the map or a caller's reserved range touches
 * (rounded outwards), and frame 0 (physical address 0 is never handed out, as a real OS keeps the
 * first page; a null physical address then always means "none"). What is left is cut at the zone
 * boundaries, 16 MiB and 4 GiB ({@link Zone}), so a block never spans two zones: DMA requests can
 * only ever get memory below 16 MiB, DMA32 requests below 4 GiB ({@link FrameRanges}). Each
 * remaining contiguous run of frames is a <em>region</em> with its own metadata, so a hole in the
 * map costs nothing. Blocks are aligned to their own size in physical address space
 * (a block of order {@code k} starts at a multiple of {@code 4 KiB << k}); an unaligned RAM edge
 * simply yields smaller blocks at that edge.
 *
 * <h2>Orders</h2>
 * {@link #MAX_ORDER} is 18: a block holds at most 2^18 frames = 1 GiB, the x86 gigantic-page
 * size, so a driver can ask for a 1 GiB contiguous buffer. (Linux stops at order 10, 4 MiB, to
 * limit fragmentation work; here the search is cheap, see below, so the larger limit costs
 * nothing.)
 *
 * <h2>Metadata, and why it is small</h2>
 * Per region ({@link BuddyRegion}): one state byte per frame (free or allocated block head, the
 * block's order, and a sticky "was ever allocated" bit that only chooses the words of a bad-free
 * error), for each order a {@link SummaryBitmap} with one bit per possible block of that order
 * (bit set = a free block starts there), and one bit per frame that marks the head of a block the
 * kernel holds for itself ({@link #allocateForKernel}). The bitmaps add up to about three bits per
 * frame. Altogether about 1.4 bytes per 4 KiB frame (0.03 % of RAM; 1.4 MiB for the default
 * machine's 4 GiB); there is no object per frame or per block.
 *
 * <h2>Policy and cost</h2>
 * Within a zone the lowest-addressed free block of the smallest sufficient order is taken, which
 * makes the allocator deterministic (same calls, same addresses) and keeps low memory compact. A
 * request falls back to a lower zone only when its own zone has no free block of a sufficient
 * order, and tries the lower zones from the top down ({@link Zone#fallbackOrder()}: NORMAL, DMA32,
 * DMA), so the scarce 16 MiB of zone DMA is the last memory a NORMAL or DMA32 request takes, as
 * in Linux, where ZONE_DMA is the last entry of every zonelist.
 * Allocate and free cost O(MAX_ORDER × bitmap levels) word operations (a few hundred at most),
 * independent of how much memory is managed.
 *
 * <h2>Checking</h2>
 * {@link #free} rejects, with an {@link IllegalStateException} naming the address: an address not
 * frame-aligned or not in managed RAM (a hole, a reserved range, frame 0), a block already free
 * (double free), a frame never allocated, a frame inside an allocated block that does not start
 * there, and a block freed with an order other than the one it was allocated with. An order
 * outside 0..{@link #MAX_ORDER} is an {@link IllegalArgumentException}, as in {@link #allocate}.
 *
 * <p>The allocator never touches the memory it manages (it has no CPU access): frames are not
 * zeroed on allocation or free.
 *
 * <p>Thread-safe: every public method holds one lock for its whole duration. Allocate and free are
 * short and never block inside the lock, so one lock is enough for a machine's few driver threads;
 * per-CPU free lists would be the next step if it became a bottleneck.
 */
public final class BuddyFrameAllocator implements FrameAllocator {

    /** Largest order: blocks of 2^18 frames = 1 GiB. */
    public static final int MAX_ORDER = 18;

    /** A block of {@code 2^order} frames starting at {@code physical}. */
    public record Block(long physical, int order) {
        public long bytes() {
            return (long) FRAME_SIZE << order;
        }

        public long end() {
            return physical + bytes();
        }

        @Override
        public String toString() {
            return String.format("[%#x, %#x) order %d", physical, end(), order);
        }
    }

    private final Object lock = new Object();
    private final List<FreeGuard> guards = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** All regions, ascending by first frame. */
    private final BuddyRegion[] regions;
    /** Indexed by {@link Zone#ordinal()}. */
    private final ZoneArea[] areas;
    private final long managedFrames;
    private long allocations;
    private long frees;
    private long failures;

    private BuddyFrameAllocator(List<long[]> frameRanges) {
        this.regions = new BuddyRegion[frameRanges.size()];
        long managed = 0;
        for (int i = 0; i < regions.length; i++) {
            long[] range = frameRanges.get(i);
            regions[i] = new BuddyRegion(range[0], range[1]);
            managed += range[1] - range[0];
        }
        this.managedFrames = managed;
        Zone[] zones = Zone.values();
        this.areas = new ZoneArea[zones.length];
        for (Zone z : zones) {
            areas[z.ordinal()] = new ZoneArea(Arrays.stream(regions).filter(r -> r.zone == z).toArray(BuddyRegion[]::new));
        }
        for (BuddyRegion r : regions) {
            ZoneArea area = areas[r.zone.ordinal()];
            area.managedFrames += r.endPfn - r.startPfn;
            // Carve the region into the largest aligned blocks that fit.
            long pfn = r.startPfn;
            while (pfn < r.endPfn) {
                int k = Math.min(MAX_ORDER, Long.numberOfTrailingZeros(pfn));
                while (pfn + (1L << k) > r.endPfn) {
                    k--;
                }
                insertFree(r, area, pfn, k);
                pfn += 1L << k;
            }
        }
    }

    /**
     * An allocator for the RAM of a firmware memory map.
     *
     * @param map      the firmware memory map (as {@code Platform.memoryMap()} returns it); RAM
     *                 entries must not overlap each other; RESERVED entries are excluded from RAM
     *                 they overlap
     * @param reserved further ranges to keep out (firmware tables, a kernel image, a crash area);
     *                 each is widened to whole frames; a range that is not RAM changes nothing
     * @throws IllegalArgumentException naming the entry when an entry is empty, negative, wraps,
     *         has no type, or overlaps another RAM entry; or when no frame is left to manage
     */
    public static BuddyFrameAllocator fromMemoryMap(List<MemoryMapEntry> map, PhysicalRange... reserved) {
        return new BuddyFrameAllocator(FrameRanges.of(map, reserved));
    }

    @Override
    public long allocate(int order, Zone zone) {
        return allocate(order, zone, false);
    }

    /** As {@link #allocate}, and the block is marked as the kernel's own until it is freed ({@link #firstUnmappableFrame}). */
    @Override
    public long allocateForKernel(int order, Zone zone) {
        return allocate(order, zone, true);
    }

    private long allocate(int order, Zone zone, boolean forKernel) {
        checkOrder(order);
        Objects.requireNonNull(zone, "zone");
        List<Zone> tries = zone.fallbackOrder();
        synchronized (lock) {
            for (int i = 0; i < tries.size(); i++) {
                ZoneArea area = areas[tries.get(i).ordinal()];
                long pfn = allocateFrom(area, order);
                if (pfn >= 0) {
                    if (forKernel) {
                        regionOf(pfn).kernelHead(pfn, true);
                    }
                    allocations++;
                    area.allocations++;
                    if (i > 0) {
                        area.fallbackAllocations++;
                    }
                    return pfn << FRAME_SHIFT;
                }
            }
            failures++;
            areas[zone.ordinal()].failures++;
            throw new OutOfFramesException(outOfFramesMessage(order, zone));
        }
    }

    @Override
    public long allocateBytes(long bytes, Zone zone) {
        int order = FrameAllocator.orderFor(bytes);
        if (order > MAX_ORDER) {
            throw new IllegalArgumentException(String.format("a request of %d bytes needs order %d; the largest block is order %d (%s)",
                    bytes, order, MAX_ORDER, sizeOf(MAX_ORDER)));
        }
        return allocate(order, zone);
    }

    /**
     * A check every {@link #free} runs first, outside the allocator's lock: it throws to refuse the
     * free (the DMA memory manager refuses frames a live DMA mapping still covers).
     */
    @FunctionalInterface
    public interface FreeGuard {
        void checkFree(long physical, long length, String what);
    }

    /** Adds a guard that every free consults first (see {@link FreeGuard}). */
    public void addFreeGuard(FreeGuard guard) {
        guards.add(Objects.requireNonNull(guard, "guard"));
    }

    /**
     * The allocated block containing {@code physical}, or null when the frame is free, or not
     * managed RAM. O(MAX_ORDER).
     */
    public Block allocatedBlockAt(long physical) {
        long pfn = physical >>> FRAME_SHIFT;
        synchronized (lock) {
            BuddyRegion r = physical < 0 ? null : regionOf(pfn);
            long head = r == null ? -1 : allocatedHead(r, pfn);
            return head < 0 ? null : new Block(head << FRAME_SHIFT, r.state(head) & BuddyRegion.STATE_ORDER_MASK);
        }
    }

    /**
     * The first managed frame of {@code [physical, physical + length)} that is free, or -1 when
     * every managed frame there lies in an allocated block (frames the allocator does not manage,
     * holes, reserved ranges and frame 0, are not its to judge). One block lookup per allocated
     * block the range crosses.
     *
     * <p>Reads the state bytes without the lock: the answer for a frame of an allocated block is
     * stable, because the bytes it reads (the block's own, down to its head) change only when that
     * block is freed; a range freed while it is being asked about is the caller's race, and either
     * answer is then true of some moment.
     */
    public long firstFreeFrame(long physical, long length) {
        return firstFrameNotOwned(physical, length, false);
    }

    /**
     * The first managed frame of {@code [physical, physical + length)} that no driver may map for a
     * device: a free frame, or one of a block {@link #allocateForKernel allocated for the kernel}
     * (a device that reached the IOMMU's own tables could rewrite its translations). -1 when there
     * is none. Same cost and locking as {@link #firstFreeFrame}; {@link #isKernelHeld} tells the two
     * reasons apart.
     */
    public long firstUnmappableFrame(long physical, long length) {
        return firstFrameNotOwned(physical, length, true);
    }

    /** True when {@code physical} lies in a block allocated with {@link #allocateForKernel} and not yet freed. */
    public boolean isKernelHeld(long physical) {
        synchronized (lock) {
            long pfn = physical >>> FRAME_SHIFT;
            BuddyRegion r = physical < 0 ? null : regionOf(pfn);
            long head = r == null ? -1 : allocatedHead(r, pfn);
            return head >= 0 && r.kernelHead(head);
        }
    }

    private long firstFrameNotOwned(long physical, long length, boolean kernelHeldToo) {
        if (length <= 0 || physical < 0) {
            return -1;
        }
        long pfn = physical >>> FRAME_SHIFT;
        long lastPfn = (physical + length - 1) >>> FRAME_SHIFT;
        if (physical + length - 1 < physical) {
            lastPfn = Long.MAX_VALUE >>> FRAME_SHIFT; // the range reaches past the top of memory
        }
        while (pfn <= lastPfn) {
            BuddyRegion r = regionOf(pfn);
            if (r == null) {
                pfn = nextRegionStart(pfn);
                continue;
            }
            long head = allocatedHead(r, pfn);
            if (head < 0 || kernelHeldToo && r.kernelHead(head)) {
                return pfn << FRAME_SHIFT;
            }
            pfn = head + (1L << (r.state(head) & BuddyRegion.STATE_ORDER_MASK));
        }
        return -1;
    }

    /** The first frame of the allocated block of {@code r} that holds {@code pfn}; -1 when the frame is free. */
    private static long allocatedHead(BuddyRegion r, long pfn) {
        for (int k = 0; k <= MAX_ORDER; k++) {
            long head = pfn & -(1L << k);
            if (head < r.startPfn) {
                return -1; // blocks tile the region, so this only happens to a corrupt state
            }
            int state = r.state(head);
            int order = state & BuddyRegion.STATE_ORDER_MASK;
            if ((state & BuddyRegion.STATE_ALLOCATED_HEAD) != 0 && order >= k) {
                return head;
            }
            if ((state & BuddyRegion.STATE_FREE_HEAD) != 0 && order >= k) {
                return -1;
            }
        }
        return -1;
    }

    /** The first frame of the first region above {@code pfn}, or past the top when there is none. */
    private long nextRegionStart(long pfn) {
        for (BuddyRegion r : regions) {
            if (r.startPfn > pfn) {
                return r.startPfn;
            }
        }
        return Long.MAX_VALUE;
    }

    @Override
    public void free(long physical, int order) {
        checkOrder(order);
        for (FreeGuard g : guards) {
            g.checkFree(physical, (long) FRAME_SIZE << order, "frames");
        }
        synchronized (lock) {
            if ((physical & (FRAME_SIZE - 1)) != 0) {
                throw new IllegalStateException(String.format("free(%#x, order %d): the address is not frame-aligned (%d bytes)",
                        physical, order, FRAME_SIZE));
            }
            long pfn = physical >>> FRAME_SHIFT;
            BuddyRegion r = physical < 0 ? null : regionOf(pfn);
            if (r == null) {
                throw new IllegalStateException(String.format(
                        "free(%#x, order %d): the address is not managed RAM (a hole, a reserved range or frame 0)", physical, order));
            }
            int state = r.state(pfn);
            if ((state & BuddyRegion.STATE_ALLOCATED_HEAD) == 0) {
                throw r.badFree(pfn, order, state);
            }
            int allocatedOrder = state & BuddyRegion.STATE_ORDER_MASK;
            if (allocatedOrder != order) {
                throw new IllegalStateException(String.format(
                        "free(%#x, order %d): wrong order; the block at %#x was allocated with order %d (%s)",
                        physical, order, physical, allocatedOrder, sizeOf(allocatedOrder)));
            }
            ZoneArea area = areas[r.zone.ordinal()];
            r.state(pfn, state & BuddyRegion.STATE_EVER_ALLOCATED);
            r.kernelHead(pfn, false);
            int k = order;
            while (k < MAX_ORDER) {
                long buddy = pfn ^ (1L << k);
                if (buddy < r.startPfn || buddy + (1L << k) > r.endPfn) {
                    break; // the buddy would lie outside the region: never free, never merge
                }
                int buddyState = r.state(buddy);
                if ((buddyState & BuddyRegion.STATE_FREE_HEAD) == 0 || (buddyState & BuddyRegion.STATE_ORDER_MASK) != k) {
                    break;
                }
                removeFree(r, area, buddy, k);
                pfn = Math.min(pfn, buddy);
                k++;
            }
            insertFree(r, area, pfn, k);
            frees++;
            area.frees++;
        }
    }

    @Override
    public int maxOrder() {
        return MAX_ORDER;
    }

    @Override
    public FrameStats stats() {
        synchronized (lock) {
            long below4G = areas[Zone.DMA.ordinal()].freeFrames + areas[Zone.DMA32.ordinal()].freeFrames;
            return new FrameStats(managedFrames, below4G + areas[Zone.NORMAL.ordinal()].freeFrames, below4G,
                    allocations, frees, failures);
        }
    }

    @Override
    public ZoneStats zoneStats(Zone zone) {
        synchronized (lock) {
            ZoneArea a = areas[zone.ordinal()];
            return new ZoneStats(zone, a.managedFrames, a.freeFrames, a.allocations, a.fallbackAllocations, a.frees, a.failures);
        }
    }

    /** Frames under management in {@code zone}. */
    public long managedFrames(Zone zone) {
        return areas[zone.ordinal()].managedFrames;
    }

    /** Number of free blocks of exactly {@code order} in {@code zone}. */
    public long freeBlockCount(Zone zone, int order) {
        checkOrder(order);
        synchronized (lock) {
            return areas[zone.ordinal()].freeBlocks[order];
        }
    }

    /** The largest order with a free block in {@code zone}, or -1 when the zone has no free frame. */
    public int largestFreeOrder(Zone zone) {
        synchronized (lock) {
            return areas[zone.ordinal()].largestFreeOrder();
        }
    }

    /** Every free block, ascending by address (a snapshot; it walks all bitmaps, so it is for tests and reports). */
    public List<Block> freeBlocks() {
        synchronized (lock) {
            List<Block> out = new ArrayList<>();
            for (BuddyRegion r : regions) {
                List<Block> inRegion = new ArrayList<>();
                for (int k = 0; k <= MAX_ORDER; k++) {
                    for (long i = r.free[k].next(0); i >= 0; i = r.free[k].next(i + 1)) {
                        inRegion.add(new Block(((r.startPfn >>> k) + i) << (k + FRAME_SHIFT), k));
                    }
                }
                inRegion.sort(Comparator.comparingLong(Block::physical));
                out.addAll(inRegion);
            }
            return out;
        }
    }

    /**
     * The managed ranges, ascending: the memory map's RAM less frame 0 and reserved ranges, cut at
     * the zone boundaries (so two adjacent ranges appear where RAM crosses 16 MiB or 4 GiB).
     */
    public List<PhysicalRange> managedRanges() {
        return Arrays.stream(regions)
                .map(r -> new PhysicalRange(r.startPfn << FRAME_SHIFT, (r.endPfn - r.startPfn) << FRAME_SHIFT))
                .toList();
    }

    /** Bytes of bookkeeping arrays (state bytes and bitmaps), for checking the overhead claim above. */
    public long metadataBytes() {
        long sum = 0;
        for (BuddyRegion r : regions) {
            sum += r.stateBytes.length;
            for (SummaryBitmap b : r.free) {
                sum += b.footprintBytes();
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        FrameStats s = stats();
        synchronized (lock) {
            return String.format("BuddyFrameAllocator[%d regions, %d frames managed, %d free (DMA %d, DMA32 %d, NORMAL %d)]",
                    regions.length, s.managedFrames(), s.freeFrames(), areas[Zone.DMA.ordinal()].freeFrames,
                    areas[Zone.DMA32.ordinal()].freeFrames, areas[Zone.NORMAL.ordinal()].freeFrames);
        }
    }

    private long allocateFrom(ZoneArea area, int order) {
        for (int k = order; k <= MAX_ORDER; k++) {
            if (area.freeBlocks[k] == 0) {
                continue;
            }
            for (BuddyRegion r : area.regions) {
                long index = r.free[k].first();
                if (index < 0) {
                    continue;
                }
                long pfn = ((r.startPfn >>> k) + index) << k;
                removeFree(r, area, pfn, k);
                // Split: keep the lower half, give the upper half back, until the order fits.
                for (int split = k - 1; split >= order; split--) {
                    insertFree(r, area, pfn + (1L << split), split);
                }
                r.state(pfn, BuddyRegion.STATE_EVER_ALLOCATED | BuddyRegion.STATE_ALLOCATED_HEAD | order);
                return pfn;
            }
        }
        return -1;
    }

    private static void insertFree(BuddyRegion r, ZoneArea area, long pfn, int k) {
        r.state(pfn, (r.state(pfn) & BuddyRegion.STATE_EVER_ALLOCATED) | BuddyRegion.STATE_FREE_HEAD | k);
        r.free[k].set(r.blockIndex(pfn, k));
        area.freeBlocks[k]++;
        area.freeFrames += 1L << k;
    }

    /** Takes a free block off its bitmap; its first frame becomes an ordinary (non-head) frame. */
    private static void removeFree(BuddyRegion r, ZoneArea area, long pfn, int k) {
        r.state(pfn, r.state(pfn) & BuddyRegion.STATE_EVER_ALLOCATED);
        r.free[k].clear(r.blockIndex(pfn, k));
        area.freeBlocks[k]--;
        area.freeFrames -= 1L << k;
    }

    private BuddyRegion regionOf(long pfn) {
        int lo = 0;
        int hi = regions.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            BuddyRegion r = regions[mid];
            if (pfn < r.startPfn) {
                hi = mid - 1;
            } else if (pfn >= r.endPfn) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    /** Names the zones a request tried (its own, then those it falls back to) and what they had left. */
    private String outOfFramesMessage(int order, Zone zone) {
        List<Zone> tried = zone.fallbackOrder();
        String where = tried.size() == 1 ? "zone " + zone
                : "zones " + tried.stream().map(Zone::name).collect(Collectors.joining(", "));
        long free = 0;
        int largest = -1;
        for (Zone z : tried) {
            free += areas[z.ordinal()].freeFrames;
            largest = Math.max(largest, areas[z.ordinal()].largestFreeOrder());
        }
        return String.format("no free block of order %d (%s) in %s: %d frames free, largest free block order %d",
                order, sizeOf(order), where, free, largest);
    }

    private static void checkOrder(int order) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order must be 0.." + MAX_ORDER + ", was " + order);
        }
    }

    private static String sizeOf(int order) {
        long bytes = (long) FRAME_SIZE << order;
        if (bytes >= 1L << 30) {
            return (bytes >>> 30) + " GiB";
        }
        if (bytes >= 1L << 20) {
            return (bytes >>> 20) + " MiB";
        }
        return (bytes >>> 10) + " KiB";
    }

    /**
     * Per-zone free counters, kept so that a search skips empty orders without looking at bitmaps,
     * and the zone's statistics.
     */
    private static final class ZoneArea {
        final BuddyRegion[] regions;
        final long[] freeBlocks = new long[MAX_ORDER + 1];
        long freeFrames;
        long managedFrames;
        long allocations;
        long fallbackAllocations;
        long frees;
        long failures;

        ZoneArea(BuddyRegion[] regions) {
            this.regions = regions;
        }

        int largestFreeOrder() {
            for (int k = MAX_ORDER; k >= 0; k--) {
                if (freeBlocks[k] > 0) {
                    return k;
                }
            }
            return -1;
        }
    }
}
