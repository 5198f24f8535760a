package org.jdma.kernel.iommu.iova;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.jdma.kernel.locking.SpinLock;
import org.jdma.platform.Platform;

/**
 * The cached IOVA allocator: Linux {@code alloc_iova_fast} and {@code free_iova_fast}
 * ({@code drivers/iommu/iova.c}, 6.x), per-CPU magazines (Bonwick and Adams, "Magazines and
 * Vmem", USENIX 2001) in front of a {@link TreeIovaAllocator}.
 *
 * <p>Sizes up to {@code 2^(RANGE_CACHE_MAX_SIZE - 1)} = 32 pages are cacheable; those below 32
 * are rounded up to a power of two first, so every range in the cache of order {@code k} is
 * exactly {@code 2^k} pages (a freed 3-page range would otherwise come back as a 4-page one).
 * Callers free with the size they asked for; the rounding is repeated on free. Freed cacheable
 * ranges stay allocated in the tree and go into the freeing CPU's magazine; allocation pops the
 * most recently freed pfn of the right order that fits under the limit, and falls back to the
 * tree. When the tree is exhausted, every CPU's magazines and the depot are freed back into the
 * tree and the tree is asked once more.
 *
 * <p>Per CPU and size class: a {@code loaded} and a {@code prev} magazine of
 * {@link #MAG_SIZE} pfns. Free pushes onto {@code loaded}; if full, swaps with {@code prev}; if
 * both are full, {@code loaded} goes to the depot and an empty magazine replaces it. Allocation
 * pops from {@code loaded}, else swaps with {@code prev}, else takes a full magazine from the
 * depot. The depot holds full magazines only, at most {@code maxDepotMagazines} per size class
 * (Linux v5.x {@code MAX_GLOBAL_MAGS = 32}); a magazine that does not fit is freed into the
 * tree. Linux 6.x keeps the depot unbounded and trims it from a 100 ms delayed work item; this
 * allocator has no clock, so it keeps v5.x's bound.
 *
 * <p>"CPU": made {@link #perCpu(Platform) per CPU of a platform} (what the kernel does), a slot is
 * a CPU of the platform and the caller uses the one of the CPU it runs as
 * ({@code Platform.cpu().index()}), as Linux's {@code this_cpu_ptr}; Java threads that never
 * entered another CPU all run as the boot CPU and share its slot. Made with a number of slots
 * (the benchmarks and the concurrency tests, which run many plain threads), the slot is
 * {@code threadId % cpuSlots}: a Java thread migrates between cores, so there is no real CPU to ask.
 * Either way each slot is guarded by its own lock (Linux also locks the per-CPU cache,
 * {@code cpu_rcache->lock}: code may be preempted or, here, several threads may run as one CPU).
 * Callers sharing a slot are correct, only contended. Lock order: slot, then depot, then tree.
 *
 * <p>Checking frees. Linux's fast path trusts the caller: a double free puts one pfn into the
 * cache twice and two devices later get the same IOVA. With {@code verifyFrees} (the default)
 * every free of a cacheable size checks, under the tree lock, that a live allocation of that
 * size starts at the pfn and is not already cached, and a cache hit clears the mark: one short
 * tree lookup per free and per hit. Without it the fast path takes no tree lock, as Linux's;
 * a bogus or doubly freed pfn may be handed out again from the cache (two users, one range),
 * and is reported only when its magazine reaches the tree.
 */
public final class CachedIovaAllocator implements IovaAllocator {

    /** Linux {@code IOVA_MAG_SIZE} (6.x: 127, so a magazine with its size word is 1 KiB). */
    public static final int MAG_SIZE = 127;

    /** Linux {@code IOVA_RANGE_CACHE_MAX_SIZE}: size classes of order 0..5 pages are cached. */
    public static final int RANGE_CACHE_MAX_SIZE = 6;

    /** Linux v5.x {@code MAX_GLOBAL_MAGS}: full magazines per size class in the depot. */
    public static final int DEFAULT_MAX_DEPOT_MAGAZINES = 32;

    /** Sizes below this many pages are rounded up to a power of two (Linux {@code alloc_iova_fast}). */
    private static final long ROUND_UP_BELOW = 1L << (RANGE_CACHE_MAX_SIZE - 1);

    /** One CPU's cache of one size class (Linux {@code struct iova_cpu_rcache}); guarded by its own lock. */
    private static final class CpuCache extends SpinLock {
        Magazine loaded = new Magazine();
        Magazine prev = new Magazine();
        long hits;
        long misses;
    }

    /** Full magazines of one size class (Linux {@code struct iova_rcache}'s depot); guarded by itself. */
    private static final class Depot {
        final Magazine[] magazines;
        int count;

        Depot(int max) {
            magazines = new Magazine[max];
        }
    }

    /**
     * Cache counters.
     *
     * @param hits         allocations served from a magazine
     * @param misses       allocations of a cacheable size that went to the tree
     * @param flushes      times every magazine and the depot were emptied into the tree (exhaustion,
     *                     reserve, {@link #flush})
     * @param cachedRanges IOVA ranges now held in magazines and the depots
     */
    public record Stats(long hits, long misses, long flushes, long cachedRanges) {
    }

    private final TreeIovaAllocator tree;
    private final int cpuSlots;
    /** The slot of the caller: its CPU, or null for thread slots. */
    private final IntSupplier currentCpu;
    private final boolean verifyFrees;
    /** cpuSlots - 1 when it is a power of two (a thread's slot is then a mask, not a division), else -1. */
    private final int slotMask;
    /** [order][slot] */
    private final CpuCache[][] cpuCaches;
    private final Depot[] depots;
    private final AtomicLong flushes = new AtomicLong();

    /** Over a fresh 4 KiB-granule tree, one slot per available processor, frees verified. */
    public CachedIovaAllocator() {
        this(new TreeIovaAllocator(), Runtime.getRuntime().availableProcessors(), true);
    }

    public CachedIovaAllocator(TreeIovaAllocator tree, int cpuSlots, boolean verifyFrees) {
        this(tree, cpuSlots, verifyFrees, DEFAULT_MAX_DEPOT_MAGAZINES);
    }

    /**
     * @param tree              the allocator behind the cache; use it only through this one from now on
     * @param cpuSlots          number of per-CPU caches (at least 1)
     * @param verifyFrees       check every free against the tree (see the class comment)
     * @param maxDepotMagazines full magazines kept per size class (at least 0)
     */
    public CachedIovaAllocator(TreeIovaAllocator tree, int cpuSlots, boolean verifyFrees, int maxDepotMagazines) {
        this(tree, cpuSlots, null, verifyFrees, maxDepotMagazines);
    }

    /**
     * One slot per CPU of {@code platform}, chosen by the CPU the caller runs as; over a fresh
     * 4 KiB-granule tree, frees verified (the kernel's default allocator for each DMA domain).
     */
    public static CachedIovaAllocator perCpu(Platform platform) {
        Objects.requireNonNull(platform, "platform");
        return perCpu(new TreeIovaAllocator(), platform.cpus().size(), () -> platform.cpu().index(), true);
    }

    /**
     * {@code cpus} slots, the caller's chosen by {@code currentCpu} (0..cpus-1).
     *
     * @throws IllegalArgumentException when {@code cpus} &lt; 1
     */
    public static CachedIovaAllocator perCpu(TreeIovaAllocator tree, int cpus, IntSupplier currentCpu, boolean verifyFrees) {
        return new CachedIovaAllocator(tree, cpus, Objects.requireNonNull(currentCpu, "currentCpu"), verifyFrees,
                DEFAULT_MAX_DEPOT_MAGAZINES);
    }

    private CachedIovaAllocator(TreeIovaAllocator tree, int cpuSlots, IntSupplier currentCpu, boolean verifyFrees,
                                int maxDepotMagazines) {
        if (cpuSlots < 1) {
            throw new IllegalArgumentException("cpu slots " + cpuSlots + ": need at least 1");
        }
        if (maxDepotMagazines < 0) {
            throw new IllegalArgumentException("depot size " + maxDepotMagazines + ": must not be negative");
        }
        this.tree = tree;
        this.cpuSlots = cpuSlots;
        this.currentCpu = currentCpu;
        this.verifyFrees = verifyFrees;
        this.slotMask = Integer.bitCount(cpuSlots) == 1 ? cpuSlots - 1 : -1;
        // Slot-major allocation order spreads one slot's objects away from the next slot's.
        cpuCaches = new CpuCache[RANGE_CACHE_MAX_SIZE][cpuSlots];
        for (int slot = 0; slot < cpuSlots; slot++) {
            for (int order = 0; order < RANGE_CACHE_MAX_SIZE; order++) {
                cpuCaches[order][slot] = new CpuCache();
            }
        }
        depots = new Depot[RANGE_CACHE_MAX_SIZE];
        for (int order = 0; order < RANGE_CACHE_MAX_SIZE; order++) {
            depots[order] = new Depot(maxDepotMagazines);
        }
    }

    @Override
    public long granule() {
        return tree.granule();
    }

    /** The tree behind the cache (for tests). */
    TreeIovaAllocator tree() {
        return tree;
    }

    public int cpuSlots() {
        return cpuSlots;
    }

    /** Whether slots are the platform's CPUs ({@link #perCpu}) rather than thread slots. */
    public boolean slotsAreCpus() {
        return currentCpu != null;
    }

    /** Ranges now in slot {@code slot}'s magazines (every size class): for tests and reports. */
    public long cachedIn(int slot) {
        if (slot < 0 || slot >= cpuSlots) {
            throw new IllegalArgumentException("slot " + slot + " outside 0.." + (cpuSlots - 1));
        }
        long n = 0;
        for (int order = 0; order < RANGE_CACHE_MAX_SIZE; order++) {
            CpuCache c = cpuCaches[order][slot];
            c.lock();
            try {
                n += c.loaded.size + c.prev.size;
            } finally {
                c.unlock();
            }
        }
        return n;
    }

    /** Allocates, flushing the caches and retrying once when the tree is exhausted. */
    @Override
    public long allocate(long pages, long limitPfn) {
        return allocate(pages, limitPfn, true);
    }

    @Override
    public long allocate(long pages, long limitPfn, boolean mayFlushCaches) {
        TreeIovaAllocator.checkRequest(pages, limitPfn);
        long size = cacheSize(pages);
        int order = order(size);
        if (order < RANGE_CACHE_MAX_SIZE) {
            long pfn = cacheGet(order, limitPfn - size + 1);
            if (pfn != NONE) {
                if (verifyFrees) {
                    tree.unmarkCached(pfn);
                }
                return pfn;
            }
        }
        long pfn = tree.allocate(size, limitPfn);
        if (pfn == NONE && mayFlushCaches) {
            flush();
            pfn = tree.allocate(size, limitPfn);
        }
        return pfn;
    }

    /** Frees with the size that was asked for at allocation; cacheable sizes go to this CPU's magazine. */
    @Override
    public void free(long pfn, long pages) {
        if (pages < 1) {
            throw new IllegalArgumentException("free of pfn " + TreeIovaAllocator.hex(pfn) + " with " + pages + " pages");
        }
        long size = cacheSize(pages);
        int order = order(size);
        if (order >= RANGE_CACHE_MAX_SIZE) {
            tree.free(pfn, size);
            return;
        }
        if (verifyFrees) {
            tree.markCached(pfn, size);
        } else if (pfn < tree.startPfn()) {
            throw new IllegalArgumentException("free of pfn " + TreeIovaAllocator.hex(pfn) + ": below the first pfn "
                    + TreeIovaAllocator.hex(tree.startPfn()) + ", never allocated");
        }
        cacheInsert(order, pfn, size);
    }

    /** Flushes the caches first, so that no cached range stands in the way. */
    @Override
    public void reserve(long loPfn, long hiPfn) {
        flush();
        tree.reserve(loPfn, hiPfn);
    }

    /** With verified frees only: otherwise {@link #isAllocated} scans every magazine. */
    @Override
    public boolean answersIsAllocatedCheaply() {
        return verifyFrees;
    }

    /**
     * Whether {@code pfn} lies in a range handed out and not freed, or reserved; a range sitting in
     * a cache is free. With {@code verifyFrees} the tree node's cached mark answers (one tree
     * lookup: cheap enough for every unmap); without it every magazine is scanned, which is for
     * tests and reports, not for a hot path, and exact only while no other thread allocates or frees.
     */
    @Override
    public boolean isAllocated(long pfn) {
        if (verifyFrees) {
            return tree.isAllocatedAndNotCached(pfn);
        }
        if (!tree.isAllocated(pfn)) {
            return false;
        }
        for (int order = 0; order < RANGE_CACHE_MAX_SIZE; order++) {
            long pages = 1L << order;
            for (CpuCache c : cpuCaches[order]) {
                c.lock();
                try {
                    if (c.loaded.contains(pfn, pages) || c.prev.contains(pfn, pages)) {
                        return false;
                    }
                } finally {
                    c.unlock();
                }
            }
            Depot d = depots[order];
            synchronized (d) {
                for (int i = 0; i < d.count; i++) {
                    if (d.magazines[i].contains(pfn, pages)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Empties every CPU's magazines and the depots into the tree (Linux
     * {@code free_cpu_cached_iovas} for every CPU, then {@code free_global_cached_iovas}).
     */
    public void flush() {
        flushes.incrementAndGet();
        IllegalArgumentException bad = null;
        for (int order = 0; order < RANGE_CACHE_MAX_SIZE; order++) {
            long pages = 1L << order;
            // The pfns go back to the tree while the cache's lock is held (Linux free_cpu_cached_iovas
            // and free_global_cached_iovas do the same): an allocation that misses and flushes
            // itself then waits here, and its retry finds them in the tree. Taking the magazines
            // out and freeing them after unlocking let that retry fail on a space with free pfns
            // (jcstress CachedFlushAllocateTest).
            for (CpuCache c : cpuCaches[order]) {
                c.lock();
                try {
                    bad = freeToTree(c.loaded, pages, bad);
                    bad = freeToTree(c.prev, pages, bad);
                } finally {
                    c.unlock();
                }
            }
            Depot d = depots[order];
            synchronized (d) {
                for (int i = 0; i < d.count; i++) {
                    bad = freeToTree(d.magazines[i], pages, bad);
                    d.magazines[i] = null;
                }
                d.count = 0;
            }
        }
        if (bad != null) {
            throw bad;
        }
    }

    private IllegalArgumentException freeToTree(Magazine m, long pages, IllegalArgumentException bad) {
        try {
            tree.freeBatch(m.pfns, m.size, pages);
        } catch (IllegalArgumentException e) {
            if (bad == null) {
                return e;
            }
            bad.addSuppressed(e);
        } finally {
            m.size = 0;
        }
        return bad;
    }

    public Stats stats() {
        long hits = 0;
        long misses = 0;
        long cached = 0;
        for (int order = 0; order < RANGE_CACHE_MAX_SIZE; order++) {
            for (CpuCache c : cpuCaches[order]) {
                c.lock();
                try {
                    hits += c.hits;
                    misses += c.misses;
                    cached += c.loaded.size + c.prev.size;
                } finally {
                    c.unlock();
                }
            }
            Depot d = depots[order];
            synchronized (d) {
                cached += (long) d.count * MAG_SIZE;
            }
        }
        return new Stats(hits, misses, flushes.get(), cached);
    }

    // ---------------------------------------------------------------- magazines

    /** Linux {@code __iova_rcache_get}: a cached pfn not above {@code maxPfn}, or {@link #NONE}. */
    private long cacheGet(int order, long maxPfn) {
        CpuCache c = cpuCaches[order][slot()];
        c.lock();
        try {
            Magazine m = c.loaded;
            if (m.size == 0) {
                if (c.prev.size != 0) {
                    c.loaded = c.prev;
                    c.prev = m;
                } else {
                    Magazine full = depotPop(depots[order]);
                    if (full == null) {
                        c.misses++;
                        return NONE;
                    }
                    c.loaded = full; // the empty one is dropped, as Linux frees it
                }
            }
            long pfn = c.loaded.pop(maxPfn);
            if (pfn == NONE) {
                c.misses++;
            } else {
                c.hits++;
            }
            return pfn;
        } finally {
            c.unlock();
        }
    }

    /** Linux {@code __iova_rcache_insert}. */
    private void cacheInsert(int order, long pfn, long pages) {
        CpuCache c = cpuCaches[order][slot()];
        Magazine overflow = null;
        c.lock();
        try {
            if (c.loaded.full()) {
                if (!c.prev.full()) {
                    Magazine m = c.loaded;
                    c.loaded = c.prev;
                    c.prev = m;
                } else {
                    // Both full: loaded goes to the depot, or, when that is full, back to the tree
                    // (outside this lock, below).
                    overflow = depotPush(depots[order], c.loaded);
                    c.loaded = new Magazine();
                }
            }
            Magazine m = c.loaded;
            m.pfns[m.size++] = pfn;
        } finally {
            c.unlock();
        }
        if (overflow != null) {
            IllegalArgumentException bad = freeToTree(overflow, pages, null);
            if (bad != null) {
                throw bad;
            }
        }
    }

    /** Returns null when pushed, else {@code m} back (the depot is full). */
    private static Magazine depotPush(Depot d, Magazine m) {
        synchronized (d) {
            if (d.count == d.magazines.length) {
                return m;
            }
            d.magazines[d.count++] = m;
            return null;
        }
    }

    private static Magazine depotPop(Depot d) {
        synchronized (d) {
            if (d.count == 0) {
                return null;
            }
            Magazine m = d.magazines[--d.count];
            d.magazines[d.count] = null;
            return m;
        }
    }

    private int slot() {
        if (currentCpu != null) {
            int cpu = currentCpu.getAsInt();
            if (cpu < 0 || cpu >= cpuSlots) {
                throw new IllegalStateException("the caller runs as CPU " + cpu + "; this allocator has slots for CPUs 0.."
                        + (cpuSlots - 1));
            }
            return cpu;
        }
        long id = Thread.currentThread().threadId();
        return slotMask >= 0 ? (int) (id & slotMask) : (int) (id % cpuSlots);
    }

    /** The size actually allocated for {@code pages}: rounded up to a power of two when small. */
    static long cacheSize(long pages) {
        if (pages >= ROUND_UP_BELOW || pages == 1) {
            return pages;
        }
        return Long.highestOneBit(pages - 1) << 1;
    }

    /** Linux {@code order_base_2}: ceil(log2(size)). */
    static int order(long size) {
        return Long.SIZE - Long.numberOfLeadingZeros(size - 1);
    }
}
