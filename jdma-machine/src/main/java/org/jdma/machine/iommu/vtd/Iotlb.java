package org.jdma.machine.iommu.vtd;

import org.jdma.spec.vtd.VtdPageEntryLayout;

/**
 * The unit's IOTLB: a set-associative cache of leaf translations, tagged by domain id, page number
 * and page size (4 KiB, 2 MiB or 1 GiB), LRU within a set. An entry keeps the permissions the
 * walk found (the AND of R and W over every level) and stays usable until an invalidation removes
 * it, whatever happens to the tables in memory: that is the hardware behaviour software's
 * invalidation protocol exists for.
 *
 * <p>Every DMA request looks a page up here, so the entries are kept as arrays indexed by slot
 * ({@code set * ways + way}) rather than as objects: a set's tags are adjacent ints and longs, and
 * a lookup compares them without following a reference per way.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class Iotlb {

    /** Leaf levels an entry can come from: 4 KiB (1), 2 MiB (2) and 1 GiB (3) pages. */
    private static final int LEAF_LEVELS = 3;
    /** {@link #keys} of an empty slot; a valid key has its level (1..3) in bits 1:0, so it is never 0. */
    private static final int INVALID = 0;
    private static final byte READ = 1;
    private static final byte WRITE = 2;

    private final int setCount;
    private final int ways;
    /** setCount - 1 when that is a power of two (the mask equals floorMod then), else -1. */
    private final int setMask;
    /** Per slot: domain id << 2 | leaf level, or {@link #INVALID}. */
    private final int[] keys;
    /** Per slot: the page number, iova >>> the level's shift. */
    private final long[] vpns;
    /** Per slot: the physical address of the page. */
    private final long[] physicalBases;
    /** Per slot: {@link #READ} and {@link #WRITE}, as the walk found them (the AND over every level). */
    private final byte[] permissions;
    /** Per slot: {@link #tick} at the last lookup or insert (LRU within a set). */
    private final long[] lastUse;
    private long tick;
    /**
     * The sets an insert went to since the last {@link #invalidateAll}, each once: only they can
     * hold valid entries, so a reset (once per fuzz input) drops everything without scanning
     * every set.
     */
    private final int[] filledSets;
    private final boolean[] setFilled;
    private int filledCount;
    /**
     * The largest page size (as a shift) inserted since the last {@link #invalidateAll}: a range
     * invalidation probes no larger size, so while only 4 KiB pages are cached it probes one set
     * per page instead of three.
     */
    private int largestShift = shiftOf(1);

    Iotlb(int entries, int ways) {
        this.ways = ways;
        this.setCount = entries / ways;
        this.setMask = Integer.bitCount(setCount) == 1 ? setCount - 1 : -1;
        int slots = setCount * ways;
        this.keys = new int[slots];
        this.vpns = new long[slots];
        this.physicalBases = new long[slots];
        this.permissions = new byte[slots];
        this.lastUse = new long[slots];
        this.filledSets = new int[setCount];
        this.setFilled = new boolean[setCount];
    }

    private int setIndex(int domainId, long vpn, int shift) {
        long h = (vpn * 0x9E37_79B9_7F4A_7C15L) ^ ((long) domainId << 20) ^ shift;
        h ^= h >>> 29;
        return setMask >= 0 ? (int) (h & setMask) : (int) Math.floorMod(h, (long) setCount);
    }

    private static int key(int domainId, int shift) {
        return domainId << 2 | levelOf(shift);
    }

    /** The leaf level of a page size given as a shift: 1, 2 or 3 (each level's pages are 2^9 times the last). */
    private static int levelOf(int shift) {
        int level = (shift - shiftOf(1)) / (shiftOf(2) - shiftOf(1)) + 1;
        if (level < 1 || level > LEAF_LEVELS || shiftOf(level) != shift) {
            throw new IllegalArgumentException("no leaf level has pages of 2^" + shift + " bytes");
        }
        return level;
    }

    /** The slot holding {@code (key, vpn)} in the set starting at {@code first}, or -1. */
    private int find(int first, int key, long vpn) {
        for (int i = first; i < first + ways; i++) {
            if (keys[i] == key && vpns[i] == vpn) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The slot of the entry for the page of {@code iova} of size 2^{@code shift} in
     * {@code domainId}, or -1; read it with {@link #physicalBase} and {@link #allows}.
     */
    int lookup(int domainId, long iova, int shift) {
        long vpn = iova >>> shift;
        int slot = find(setIndex(domainId, vpn, shift) * ways, key(domainId, shift), vpn);
        if (slot >= 0) {
            lastUse[slot] = ++tick;
        }
        return slot;
    }

    /** The physical address of the page cached in {@code slot}. */
    long physicalBase(int slot) {
        return physicalBases[slot];
    }

    /** Whether the entry in {@code slot} allows a write ({@code write}) or a read. */
    boolean allows(int slot, boolean write) {
        return (permissions[slot] & (write ? WRITE : READ)) != 0;
    }

    /** Caches a translation, evicting the least recently used entry of its set when full. */
    void insert(int domainId, long iova, int shift, long physicalBase, boolean read, boolean write) {
        long vpn = iova >>> shift;
        int index = setIndex(domainId, vpn, shift);
        if (!setFilled[index]) {
            setFilled[index] = true;
            filledSets[filledCount++] = index;
        }
        int key = key(domainId, shift);
        int first = index * ways;
        int victim = first;
        for (int i = first; i < first + ways; i++) {
            if (keys[i] == key && vpns[i] == vpn) {
                victim = i; // refresh in place (a re-walk after a permission miss)
                break;
            }
            if (keys[i] == INVALID) {
                victim = i;
                break;
            }
            if (lastUse[i] < lastUse[victim]) {
                victim = i;
            }
        }
        largestShift = Math.max(largestShift, shift);
        keys[victim] = key;
        vpns[victim] = vpn;
        physicalBases[victim] = physicalBase;
        permissions[victim] = (byte) ((read ? READ : 0) | (write ? WRITE : 0));
        lastUse[victim] = ++tick;
    }

    /** Power-on state: every entry invalid and the LRU clock back at 0, so replacement starts as on a new unit. */
    void reset() {
        invalidateAll();
        tick = 0;
    }

    /** Drops everything; returns how many entries were dropped. Visits only the sets filled since the last call. */
    int invalidateAll() {
        int n = 0;
        for (int f = 0; f < filledCount; f++) {
            int index = filledSets[f];
            setFilled[index] = false;
            for (int i = index * ways; i < (index + 1) * ways; i++) {
                n += keys[i] != INVALID ? 1 : 0;
                keys[i] = INVALID;
            }
        }
        filledCount = 0;
        largestShift = shiftOf(1);
        return n;
    }

    /** Drops every entry of {@code domainId}. */
    int invalidateDomain(int domainId) {
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != INVALID && keys[i] >>> 2 == domainId) {
                keys[i] = INVALID;
                n++;
            }
        }
        return n;
    }

    /**
     * Drops every entry of {@code domainId} whose page overlaps [address, address + length). An
     * entry of page number vpn and size 2^shift lives only in its set, so a small range probes
     * just those sets (one per page size for a one-page invalidation); a range with more pages
     * than the IOTLB has sets is scanned whole.
     */
    int invalidateRange(int domainId, long address, long length) {
        long end = address + length;
        int levels = levelsCached();
        long probes = 0;
        for (int level = 1; level <= levels; level++) {
            int shift = shiftOf(level);
            probes += ((end - 1) >>> shift) - (address >>> shift) + 1;
        }
        if (length <= 0 || end < address || probes > setCount) {
            return invalidateRangeByScan(domainId, address, end);
        }
        int n = 0;
        for (int level = 1; level <= levels; level++) {
            int shift = shiftOf(level);
            int key = key(domainId, shift);
            for (long vpn = address >>> shift; vpn <= (end - 1) >>> shift; vpn++) {
                int slot = find(setIndex(domainId, vpn, shift) * ways, key, vpn);
                if (slot >= 0) {
                    keys[slot] = INVALID;
                    n++;
                }
            }
        }
        return n;
    }

    /** Leaf levels whose page size was inserted since the last {@link #invalidateAll}. */
    private int levelsCached() {
        int levels = 1;
        while (levels < LEAF_LEVELS && shiftOf(levels + 1) <= largestShift) {
            levels++;
        }
        return levels;
    }

    /** Every set scanned: the reference the probing path must agree with. */
    int invalidateRangeByScan(int domainId, long address, long end) {
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != INVALID && keys[i] >>> 2 == domainId) {
                int shift = shiftOf(keys[i] & 3);
                long base = vpns[i] << shift;
                if (base < end && address < base + (1L << shift)) {
                    keys[i] = INVALID;
                    n++;
                }
            }
        }
        return n;
    }

    int size() {
        int n = 0;
        for (int key : keys) {
            n += key != INVALID ? 1 : 0;
        }
        return n;
    }

    int ways() {
        return ways;
    }

    static int shiftOf(int level) {
        return VtdPageEntryLayout.indexShift(level);
    }
}
