package org.jdma.kernel.iommu.iova;

import java.util.Map;
import java.util.TreeMap;

/**
 * The uncached IOVA allocator: Linux {@code alloc_iova}, {@code __free_iova} and
 * {@code reserve_iova} ({@code drivers/iommu/iova.c}). Allocated and reserved ranges are nodes of
 * an ordered map keyed by their first pfn; an anchor node sits above every pfn (Linux
 * {@code IOVA_ANCHOR}) so a walk always has a node to start from.
 *
 * <p>Allocation walks the nodes backwards (top-down) from a cached node, a separate one for
 * requests limited to the 32-bit space ({@code cached_node}, {@code cached32_node}), and fits the
 * range into the first gap below, its start aligned to the smallest power of two ≥ the size
 * (Linux {@code size_aligned}). If that walk finds nothing it retries once between the limit and
 * the cached node, so the search is complete. A failed search over the whole 32-bit space
 * records its size ({@code max32_alloc_size}) so later 32-bit requests as large fail at once,
 * until something below 4 GiB is freed.
 *
 * <p>Deviation from Linux: Linux records {@code max32_alloc_size} after any failed search, even
 * one limited below the 32-bit boundary, which makes a later request up to the boundary fail
 * although space above the smaller limit is free. Here only a search that covered the whole
 * 32-bit space records it. Linux's {@code free_iova} finds the range containing a pfn and frees
 * it silently; here {@link #free} demands the exact start and size and names what was wrong.
 *
 * <p>Thread-safe: one lock guards the map, as Linux's {@code iova_rbtree_lock}.
 */
public final class TreeIovaAllocator implements IovaAllocator {

    /** Lowest pfn ever handed out: IOVA 0 looks like a null bus address (Linux {@code base_pfn = 1}). */
    public static final long BASE_PFN = 1;

    /** Linux {@code IOVA_ANCHOR}: first (and last) pfn of the node that sits above every range. */
    private static final long ANCHOR_PFN = Long.MAX_VALUE;

    /** Largest limit accepted, so that the exclusive bound {@code limit + 1} the walk uses is at most the anchor. */
    public static final long MAX_LIMIT_PFN = ANCHOR_PFN - 1;

    /** Largest granule (Linux: PAGE_SIZE). */
    public static final long MAX_GRANULE = 4096;

    /**
     * One allocated or reserved range, [lo, hi] inclusive. Nodes are also linked in address order
     * so that a walk steps to a neighbour without a map lookup (Linux {@code rb_prev}/{@code rb_next}).
     */
    static final class Node {
        final long lo;
        final long hi;
        final boolean reserved;
        /** Sitting in a magazine of a verifying {@link CachedIovaAllocator}; guarded by the tree lock. */
        boolean cached;
        /** The next node down (null for the lowest) and up (null only for the anchor). */
        Node below;
        Node above;

        Node(long lo, long hi, boolean reserved) {
            this.lo = lo;
            this.hi = hi;
            this.reserved = reserved;
        }

        long pages() {
            return hi - lo + 1;
        }
    }

    private final long granule;
    private final long startPfn;
    /** First pfn above the 32-bit space (Linux {@code dma_32bit_pfn}). */
    private final long dma32Pfn;

    /** Slots of {@link #byStart}: a power of two. */
    private static final int BY_START_SLOTS = 1024;

    private final Object lock = new Object();
    private final TreeMap<Long, Node> nodes = new TreeMap<>();
    /**
     * Recently used nodes by start pfn, direct-mapped (a slot holds a live node or null): a
     * verifying {@link CachedIovaAllocator} looks a range up by its start on every free, cache hit
     * and unmap check, and the pfns a device cycles through are few, so most such lookups are one
     * array load instead of a walk of the tree. Filled by inserts and lookups, cleared when its
     * node goes.
     */
    private final Node[] byStart = new Node[BY_START_SLOTS];
    private final Node anchor = new Node(ANCHOR_PFN, ANCHOR_PFN, true);
    /** Where the last allocation above (resp. below) 4 GiB went; the next walk starts here. */
    private Node cachedNode = anchor;
    private Node cached32Node = anchor;
    /** Smallest size known not to fit below 4 GiB. */
    private long max32AllocSize;

    /** An allocator of 4 KiB granules starting at {@link #BASE_PFN}. */
    public TreeIovaAllocator() {
        this(MAX_GRANULE, BASE_PFN);
    }

    /**
     * @param granule  bytes per pfn: a power of two, at most 4096 (Linux {@code init_iova_domain})
     * @param startPfn lowest pfn handed out, at least {@link #BASE_PFN}
     */
    public TreeIovaAllocator(long granule, long startPfn) {
        if (granule <= 0 || granule > MAX_GRANULE || Long.bitCount(granule) != 1) {
            throw new IllegalArgumentException("granule " + granule + " is not a power of two in [1, " + MAX_GRANULE + "]");
        }
        if (startPfn < BASE_PFN || startPfn > MAX_LIMIT_PFN) {
            throw new IllegalArgumentException("start pfn " + startPfn + " must be in [" + BASE_PFN + ", "
                    + MAX_LIMIT_PFN + "]: pfn 0 is never handed out");
        }
        this.granule = granule;
        this.startPfn = startPfn;
        this.dma32Pfn = 1L << (32 - Long.numberOfTrailingZeros(granule));
        this.max32AllocSize = dma32Pfn;
        nodes.put(ANCHOR_PFN, anchor);
    }

    @Override
    public long granule() {
        return granule;
    }

    /** Lowest pfn this allocator hands out. */
    public long startPfn() {
        return startPfn;
    }

    /** First pfn above the 32-bit address space, {@code 2^32 / granule}. */
    public long dma32Pfn() {
        return dma32Pfn;
    }

    @Override
    public long allocate(long pages, long limitPfn) {
        checkRequest(pages, limitPfn);
        synchronized (lock) {
            Node n = insertLocked(pages, limitPfn + 1);
            return n == null ? NONE : n.lo;
        }
    }

    static void checkRequest(long pages, long limitPfn) {
        if (pages < 1) {
            throw new IllegalArgumentException("allocation of " + pages + " pages: must be at least 1");
        }
        if (limitPfn < 0 || limitPfn > MAX_LIMIT_PFN) {
            throw new IllegalArgumentException("limit pfn " + limitPfn + " outside [0, " + MAX_LIMIT_PFN + "]");
        }
    }

    /**
     * Linux {@code __alloc_and_insert_iova_range} with {@code size_aligned}: returns the new node,
     * or null. {@code limitExcl} is one above the highest pfn the range may use.
     */
    private Node insertLocked(long size, long limitExcl) {
        // fls_long(size - 1): align to the smallest power of two >= size
        long alignMask = ~0L << (Long.SIZE - Long.numberOfLeadingZeros(size - 1));
        if (limitExcl <= dma32Pfn && size >= max32AllocSize) {
            return null;
        }
        Node curr = limitExcl <= dma32Pfn ? cached32Node : cachedNode;
        long retryPfn = curr.hi;
        long high = limitExcl;
        long low = startPfn;
        boolean retried = false;
        long newPfn;
        Node prev;
        while (true) {
            do {
                high = Math.min(high, curr.lo);
                newPfn = (high - size) & alignMask; // negative when size > high: fails the low check
                prev = curr;
                curr = below(curr);
            } while (curr != null && newPfn <= curr.hi && newPfn >= low);
            if (newPfn >= low && high >= size) {
                break;
            }
            if (!retried && retryPfn < limitExcl) {
                // The walk from the cached node saw only what lies below it; look above it once.
                retried = true;
                high = limitExcl;
                low = retryPfn + 1;
                curr = nodes.ceilingEntry(limitExcl).getValue(); // Linux iova_find_limit; the anchor bounds it
                continue;
            }
            if (limitExcl >= dma32Pfn) {
                max32AllocSize = size;
            }
            return null;
        }
        // The new range lies between prev (above) and prev.below.
        assert prev.lo > newPfn + size - 1 && (prev.below == null || prev.below.hi < newPfn);
        Node n = new Node(newPfn, newPfn + size - 1, false);
        nodes.put(newPfn, n);
        byStart[startSlot(newPfn)] = n;
        link(n, prev.below, prev);
        if (n.hi < dma32Pfn) {
            cached32Node = n;
        } else {
            cachedNode = n;
        }
        return n;
    }

    private static Node below(Node n) {
        return n.below;
    }

    private static Node above(Node n) {
        return n.above; // the anchor is above every other node
    }

    private static void link(Node n, Node below, Node above) {
        n.below = below;
        n.above = above;
        if (below != null) {
            below.above = n;
        }
        above.below = n;
    }

    private static void unlink(Node n) {
        if (n.below != null) {
            n.below.above = n.above;
        }
        n.above.below = n.below;
    }

    /**
     * @throws IllegalArgumentException when no allocation of {@code pages} starts at {@code pfn}
     *         (never allocated, already freed, inside another range, reserved, or another size)
     */
    @Override
    public void free(long pfn, long pages) {
        synchronized (lock) {
            Node n = nodeAtLocked(pfn);
            if (n == null || n.reserved || n.pages() != pages) {
                throw new IllegalArgumentException(whyNotFreeable(pfn, pages, n));
            }
            removeLocked(n);
        }
    }

    private String whyNotFreeable(long pfn, long pages, Node exact) {
        String what = "free of pfn " + hex(pfn) + " (" + pages + " pages): ";
        if (exact != null && exact.reserved) {
            return what + "it lies in the reserved range " + range(exact);
        }
        if (exact != null) {
            return what + "it was allocated with " + exact.pages() + " pages " + range(exact);
        }
        Map.Entry<Long, Node> e = nodes.floorEntry(pfn);
        if (e != null && e.getValue().hi >= pfn && e.getValue() != anchor) {
            Node n = e.getValue();
            return what + "it lies inside the " + (n.reserved ? "reserved" : "allocated") + " range " + range(n)
                    + ", which starts elsewhere";
        }
        return what + "no allocation starts there (never allocated, or already freed)";
    }

    private void removeLocked(Node free) {
        // Linux __cached_rbnode_delete_update: keep the cached nodes in the map and the walk complete
        Node c32 = cached32Node;
        if (free == c32 || (free.hi < dma32Pfn && free.lo >= c32.lo)) {
            cached32Node = above(free);
        }
        if (free.lo < dma32Pfn) {
            max32AllocSize = dma32Pfn;
        }
        if (free.lo >= cachedNode.lo) {
            cachedNode = above(free);
        }
        nodes.remove(free.lo);
        forgetStart(free);
        unlink(free);
    }

    /**
     * Reserves [loPfn, hiPfn]; reservations that overlap or touch it merge into one node.
     *
     * @throws IllegalArgumentException when the bounds are inverted or out of range, or the range
     *         overlaps a live allocation (named)
     */
    @Override
    public void reserve(long loPfn, long hiPfn) {
        if (loPfn < 0 || hiPfn < loPfn || hiPfn > MAX_LIMIT_PFN) {
            throw new IllegalArgumentException("reserve [" + hex(loPfn) + ", " + hex(hiPfn) + "]: need 0 <= lo <= hi <= "
                    + hex(MAX_LIMIT_PFN));
        }
        synchronized (lock) {
            long from = loPfn == 0 ? 0 : loPfn - 1;
            Map.Entry<Long, Node> first = nodes.floorEntry(from);
            long scanFrom = first != null && first.getValue().hi >= from ? first.getKey() : from;
            long lo = loPfn;
            long hi = hiPfn;
            var touching = nodes.subMap(scanFrom, true, hiPfn + 1, true);
            for (Node n : touching.values()) {
                if (n == anchor) {
                    continue;
                }
                boolean overlaps = n.lo <= hiPfn && n.hi >= loPfn;
                if (!n.reserved && overlaps) {
                    throw new IllegalArgumentException("reserve [" + hex(loPfn) + ", " + hex(hiPfn)
                            + "] overlaps the allocated range " + range(n));
                }
            }
            for (Node n : touching.values()) {
                if (n.reserved && n != anchor) {
                    lo = Math.min(lo, n.lo);
                    hi = Math.max(hi, n.hi);
                }
            }
            // Every node left in [lo, hi] is a reservation (merged below) or adjacent to the new one.
            Node merged = new Node(lo, hi, true);
            var doomed = nodes.subMap(lo, true, hi, true);
            for (Node n : doomed.values()) {
                forgetStart(n);
                if (n == cachedNode) {
                    cachedNode = merged;
                }
                if (n == cached32Node) {
                    cached32Node = merged;
                }
            }
            doomed.clear();
            Map.Entry<Long, Node> under = nodes.lowerEntry(lo);
            link(merged, under == null ? null : under.getValue(), nodes.higherEntry(hi).getValue());
            nodes.put(lo, merged);
        }
    }

    @Override
    public boolean isAllocated(long pfn) {
        synchronized (lock) {
            Map.Entry<Long, Node> e = nodes.floorEntry(pfn);
            return e != null && e.getValue() != anchor && e.getValue().hi >= pfn;
        }
    }

    /**
     * Whether {@code pfn} lies in a range handed out or reserved that no verifying
     * {@link CachedIovaAllocator} holds in a magazine: one tree lookup, the node's own mark.
     */
    boolean isAllocatedAndNotCached(long pfn) {
        synchronized (lock) {
            Node start = byStart[startSlot(pfn)];
            if (start != null && start.lo == pfn) {
                return start != anchor && !start.cached; // an unmap checks the start of its range
            }
            Map.Entry<Long, Node> e = nodes.floorEntry(pfn);
            return e != null && e.getValue() != anchor && e.getValue().hi >= pfn && !e.getValue().cached;
        }
    }

    /** Number of allocated and reserved ranges (nodes, the anchor not counted). */
    public int rangeCount() {
        synchronized (lock) {
            return nodes.size() - 1;
        }
    }

    private static int startSlot(long pfn) {
        return (int) ((pfn * 0x9E37_79B9_7F4A_7C15L) >>> (Long.SIZE - Integer.numberOfTrailingZeros(BY_START_SLOTS)));
    }

    /** The node starting at {@code pfn}, or null; under the lock. */
    private Node nodeAtLocked(long pfn) {
        int slot = startSlot(pfn);
        Node n = byStart[slot];
        if (n != null && n.lo == pfn) {
            return n;
        }
        n = nodes.get(pfn);
        if (n != null) {
            byStart[slot] = n;
        }
        return n;
    }

    /** Forgets {@code n} in {@link #byStart} (it leaves the tree); under the lock. */
    private void forgetStart(Node n) {
        int slot = startSlot(n.lo);
        if (byStart[slot] == n) {
            byStart[slot] = null;
        }
    }

    // ---------------------------------------------------------------- for CachedIovaAllocator

    /**
     * Checks that a live allocation of {@code pages} starts at {@code pfn} and is not in a cache
     * already, then marks it cached.
     *
     * @throws IllegalArgumentException naming the pfn otherwise
     */
    void markCached(long pfn, long pages) {
        synchronized (lock) {
            Node n = nodeAtLocked(pfn);
            if (n == null || n.reserved || n.pages() != pages) {
                throw new IllegalArgumentException(whyNotFreeable(pfn, pages, n));
            }
            if (n.cached) {
                throw new IllegalArgumentException("free of pfn " + hex(pfn) + " (" + pages
                        + " pages): already freed (it sits in the IOVA cache)");
            }
            n.cached = true;
        }
    }

    /** The cached range at {@code pfn} is handed out again. */
    void unmarkCached(long pfn) {
        synchronized (lock) {
            Node n = nodeAtLocked(pfn);
            if (n == null || !n.cached) {
                throw new IllegalStateException("IOVA cache held pfn " + hex(pfn) + " that the tree does not know as cached");
            }
            n.cached = false;
        }
    }

    /**
     * Frees {@code count} ranges of {@code pages} each, under one lock acquisition (magazines
     * going back to the tree). Every valid one is freed before an error is reported.
     *
     * @throws IllegalArgumentException naming the pfns that were not allocations of that size
     */
    void freeBatch(long[] pfns, int count, long pages) {
        StringBuilder bad = null;
        synchronized (lock) {
            for (int i = 0; i < count; i++) {
                Node n = nodeAtLocked(pfns[i]);
                if (n == null || n.reserved || n.pages() != pages) {
                    bad = bad == null ? new StringBuilder() : bad.append("; ");
                    bad.append(whyNotFreeable(pfns[i], pages, n));
                } else {
                    removeLocked(n);
                }
            }
        }
        if (bad != null) {
            throw new IllegalArgumentException("cached IOVAs that were never allocated reached the tree: " + bad);
        }
    }

    /**
     * Checks the structure (for tests): nodes disjoint, ordered, linked in address order, the
     * anchor on top, the cached nodes in the map.
     *
     * @throws IllegalStateException naming the first broken node
     */
    void checkInvariants() {
        synchronized (lock) {
            Node expectedBelow = null;
            for (Node n : nodes.values()) {
                if (n.below != expectedBelow || (expectedBelow != null && expectedBelow.above != n)) {
                    throw new IllegalStateException("links broken at " + range(n));
                }
                if (expectedBelow != null && expectedBelow.hi >= n.lo) {
                    throw new IllegalStateException(range(expectedBelow) + " overlaps " + range(n));
                }
                expectedBelow = n;
            }
            if (expectedBelow != anchor || anchor.above != null) {
                throw new IllegalStateException("the anchor is not the top node");
            }
            if (nodes.get(cachedNode.lo) != cachedNode || nodes.get(cached32Node.lo) != cached32Node) {
                throw new IllegalStateException("a cached node left the map");
            }
            for (Node n : byStart) {
                if (n != null && nodes.get(n.lo) != n) {
                    throw new IllegalStateException("the start index holds " + range(n) + ", which left the map");
                }
            }
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String range(Node n) {
        return "[" + hex(n.lo) + ", " + hex(n.hi) + "]";
    }
}
