package org.jdma.machine.iommu.vtd;

import org.jdma.spec.vtd.VtdPageEntryLayout;

/**
 * The unit's IOTLB: a set-associative cache of leaf translations, tagged by domain id, page number
 * and page size (4 KiB, 2 MiB or 1 GiB), LRU within a set. An entry keeps the permissions the
 * walk found (the AND of R and W over every level) and stays usable until an invalidation removes
 * it, whatever happens to the tables in memory: that is the hardware behaviour software's
 * invalidation protocol exists for.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class Iotlb {

    /** One cached translation of the page [vpn << shift, (vpn + 1) << shift). */
    static final class Entry {
        int domainId;
        long vpn;
        int shift;
        long physicalBase;
        boolean read;
        boolean write;
        long lastUse;
        boolean valid;

        long pageSize() {
            return 1L << shift;
        }
    }

    /** Leaf levels an entry can come from: 4 KiB (1), 2 MiB (2) and 1 GiB (3) pages. */
    private static final int LEAF_LEVELS = 3;

    private final Entry[][] sets;
    private final int ways;
    /** sets.length - 1 when that is a power of two (the mask equals floorMod then), else -1. */
    private final int setMask;
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
        this.sets = new Entry[entries / ways][ways];
        this.setMask = Integer.bitCount(sets.length) == 1 ? sets.length - 1 : -1;
        this.filledSets = new int[sets.length];
        this.setFilled = new boolean[sets.length];
        for (Entry[] set : sets) {
            for (int w = 0; w < ways; w++) {
                set[w] = new Entry();
            }
        }
    }

    private Entry[] setFor(int domainId, long vpn, int shift) {
        return sets[setIndex(domainId, vpn, shift)];
    }

    private int setIndex(int domainId, long vpn, int shift) {
        long h = (vpn * 0x9E37_79B9_7F4A_7C15L) ^ ((long) domainId << 20) ^ shift;
        h ^= h >>> 29;
        return setMask >= 0 ? (int) (h & setMask) : (int) Math.floorMod(h, (long) sets.length);
    }

    /** The entry for the page of {@code iova} of size 2^{@code shift} in {@code domainId}, or null. */
    Entry lookup(int domainId, long iova, int shift) {
        long vpn = iova >>> shift;
        for (Entry e : setFor(domainId, vpn, shift)) {
            if (e.valid && e.domainId == domainId && e.vpn == vpn && e.shift == shift) {
                e.lastUse = ++tick;
                return e;
            }
        }
        return null;
    }

    /** Caches a translation, evicting the least recently used entry of its set when full. */
    void insert(int domainId, long iova, int shift, long physicalBase, boolean read, boolean write) {
        long vpn = iova >>> shift;
        int index = setIndex(domainId, vpn, shift);
        if (!setFilled[index]) {
            setFilled[index] = true;
            filledSets[filledCount++] = index;
        }
        Entry[] set = sets[index];
        Entry victim = set[0];
        for (Entry e : set) {
            if (e.valid && e.domainId == domainId && e.vpn == vpn && e.shift == shift) {
                victim = e; // refresh in place (a re-walk after a permission miss)
                break;
            }
            if (!e.valid) {
                victim = e;
                break;
            }
            if (e.lastUse < victim.lastUse) {
                victim = e;
            }
        }
        largestShift = Math.max(largestShift, shift);
        victim.valid = true;
        victim.domainId = domainId;
        victim.vpn = vpn;
        victim.shift = shift;
        victim.physicalBase = physicalBase;
        victim.read = read;
        victim.write = write;
        victim.lastUse = ++tick;
    }

    /** Power-on state: every entry invalid and the LRU clock back at 0, so replacement starts as on a new unit. */
    void reset() {
        invalidateAll();
        tick = 0;
    }

    /** Drops everything; returns how many entries were dropped. Visits only the sets filled since the last call. */
    int invalidateAll() {
        int n = 0;
        for (int i = 0; i < filledCount; i++) {
            int index = filledSets[i];
            setFilled[index] = false;
            for (Entry e : sets[index]) {
                n += e.valid ? 1 : 0;
                e.valid = false;
            }
        }
        filledCount = 0;
        largestShift = shiftOf(1);
        return n;
    }

    /** Drops every entry of {@code domainId}. */
    int invalidateDomain(int domainId) {
        int n = 0;
        for (Entry[] set : sets) {
            for (Entry e : set) {
                if (e.valid && e.domainId == domainId) {
                    e.valid = false;
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Drops every entry of {@code domainId} whose page overlaps [address, address + length). An
     * entry of page number vpn and size 2^shift lives only in {@code setFor(domainId, vpn, shift)},
     * so a small range probes just those sets (one per page size for a one-page invalidation);
     * a range with more pages than the IOTLB has sets is scanned whole.
     */
    int invalidateRange(int domainId, long address, long length) {
        long end = address + length;
        int levels = levelsCached();
        long probes = 0;
        for (int level = 1; level <= levels; level++) {
            int shift = shiftOf(level);
            probes += ((end - 1) >>> shift) - (address >>> shift) + 1;
        }
        if (length <= 0 || end < address || probes > sets.length) {
            return invalidateRangeByScan(domainId, address, end);
        }
        int n = 0;
        for (int level = 1; level <= levels; level++) {
            int shift = shiftOf(level);
            for (long vpn = address >>> shift; vpn <= (end - 1) >>> shift; vpn++) {
                for (Entry e : setFor(domainId, vpn, shift)) {
                    if (e.valid && e.domainId == domainId && e.vpn == vpn && e.shift == shift) {
                        e.valid = false;
                        n++;
                    }
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
        for (Entry[] set : sets) {
            for (Entry e : set) {
                if (e.valid && e.domainId == domainId) {
                    long base = e.vpn << e.shift;
                    if (base < end && address < base + e.pageSize()) {
                        e.valid = false;
                        n++;
                    }
                }
            }
        }
        return n;
    }

    int size() {
        int n = 0;
        for (Entry[] set : sets) {
            for (Entry e : set) {
                n += e.valid ? 1 : 0;
            }
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
