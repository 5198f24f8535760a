package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdPageEntryLayout.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One domain's second-level page tables (VT-d spec §3.7, §9.8; Linux {@code dma_pte} code in
 * {@code drivers/iommu/intel/iommu.c}): 3 or 4 levels of 512 eight-byte entries, 2 MiB and 1 GiB
 * leaves where the unit offers them (CAP.SLLPS) and alignment allows, written through
 * {@link TableMemory} (so a non-coherent walk sees them).
 *
 * <p>Non-leaf entries carry R and W (as Linux does; permission is decided at the leaf). Reserved
 * bits are never set: addresses are frame addresses below the host address width, SNP, TM and the
 * ignored bits stay zero, PS only where the level allows it.
 *
 * <p>Table pages emptied by an unmap are not freed at once: {@link #unmap} returns them, and the
 * caller frees them only after the IOTLB (and the paging-structure caches) were invalidated, as
 * Linux's freelist does; until then the unit may still walk them.
 *
 * <p>The leaf table (level 1) last walked to is remembered with the 2 MiB of IOVA space it covers,
 * so the next map, unmap or lookup there reads one entry instead of walking from the root; the unit
 * never writes these tables, and the table is forgotten before it is unlinked.
 *
 * <p>Other CPUs' work can run inside any RAM access here (while this CPU waits for the bus), and
 * it may map and unmap neighbouring IOVAs in the same tables. A table is released when an unmap
 * leaves it without entries; a map therefore counts itself into each table it walks through (hand
 * over hand, one table at a time), so that no unmap releases the table it is about to write, and a
 * map that finds a table being released (its unmap waits in the store that unlinks it) hangs a
 * fresh table in its place instead of waiting. A table a map walked into but left empty stays
 * linked until an unmap empties it again or the domain goes.
 *
 * <p>Not thread-safe: the owning domain serialises calls.
 */
public final class SecondLevelPageTable {

    /** A leaf found by {@link #lookup}: the page's base IOVA and physical address, size, permissions. */
    public record Leaf(long iovaBase, long physicalBase, long pageSize, boolean read, boolean write) {
        public long physicalOf(long iova) {
            return physicalBase + (iova - iovaBase);
        }
    }

    private final TableMemory memory;
    private final int levels;
    private final boolean twoMiB;
    private final boolean oneGiB;
    private final long root;
    private final PresentCount rootCount;
    /** Present entries per table page (software bookkeeping, so empty tables can be freed). */
    private final Map<Long, PresentCount> presentCounts = new HashMap<>();
    /** The table last counted and its count: consecutive map/unmap calls mostly hit one leaf table. */
    private long lastCountedTable = -1;
    private PresentCount lastCount;
    /** {@code va >>> LEAF_KEY_SHIFT} of the 2 MiB that {@link #leafCount}'s table maps (-1: none). */
    private long leafKey = -1;
    private PresentCount leafCount;

    /** The IOVA bits above a leaf table's index: one leaf table per value. */
    private static final int LEAF_KEY_SHIFT = indexShift(2);

    /** A table page's present entries plus the maps walking through it now; mutable, so updating it boxes nothing. */
    private static final class PresentCount {
        final long page;
        int n;
        /** Being released (it had no entry and no map in it): no map walks into it any more. */
        boolean dying;

        PresentCount(long page) {
            this.page = page;
        }
    }

    /**
     * @param levels 3 (39-bit) or 4 (48-bit)
     * @param twoMiB CAP.SLLPS bit 0
     * @param oneGiB CAP.SLLPS bit 1
     */
    public SecondLevelPageTable(TableMemory memory, int levels, boolean twoMiB, boolean oneGiB) {
        this.memory = Objects.requireNonNull(memory, "memory");
        if (levels != 3 && levels != 4) {
            throw new IllegalArgumentException("second-level tables have 3 or 4 levels here, not " + levels);
        }
        this.levels = levels;
        this.twoMiB = twoMiB;
        this.oneGiB = oneGiB;
        this.root = allocateTable();
        this.rootCount = presentCounts.get(root);
    }

    /** Physical address of the top-level table (the context entry's SLPTPTR). */
    public long root() {
        return root;
    }

    public int levels() {
        return levels;
    }

    /** One past the highest IOVA the tables can map: 2^39 or 2^48. */
    public long addressLimit() {
        return 1L << indexShift(levels + 1);
    }

    /** Table pages held, the root included. */
    public int tablePages() {
        return presentCounts.size();
    }

    /**
     * Maps [iova, iova + size) to [physical, physical + size). All three must be 4 KiB aligned.
     * Uses the largest leaf that alignment, the remaining length and CAP.SLLPS allow.
     *
     * @throws IllegalArgumentException when unaligned, beyond {@link #addressLimit()}, without any
     *         permission, or overlapping a present mapping (naming the IOVA); nothing stays mapped
     */
    public void map(long iova, long physical, long size, boolean read, boolean write) {
        checkRange(iova, size);
        if ((physical & (PAGE_SIZE - 1)) != 0 || physical < 0) {
            throw new IllegalArgumentException(String.format("physical address %#x is not 4 KiB aligned", physical));
        }
        if (!read && !write) {
            throw new IllegalArgumentException("a mapping needs read or write permission (R = W = 0 means not present)");
        }
        long done = 0;
        try {
            while (done < size) {
                long va = iova + done;
                long pa = physical + done;
                int level = leafLevel(va, pa, size - done);
                done += mapOne(va, pa, level, read, write);
            }
        } catch (IllegalArgumentException e) {
            if (done > 0) {
                // Roll back: these entries were never reported mapped, so no IOTLB entry can
                // depend on them, and the emptied tables are not yet reachable by a walk we promised.
                unmap(iova, done).forEach(memory::freePage);
            }
            throw e;
        }
    }

    private int leafLevel(long va, long pa, long remaining) {
        if (oneGiB && levels >= 3 && fits(va, pa, remaining, 3)) {
            return 3;
        }
        if (twoMiB && fits(va, pa, remaining, 2)) {
            return 2;
        }
        return 1;
    }

    private static boolean fits(long va, long pa, long remaining, int level) {
        long ps = pageSizeAt(level);
        return ((va | pa) & (ps - 1)) == 0 && remaining >= ps;
    }

    /** Installs one leaf at {@code level} (falling back to smaller leaves below an existing table). Returns bytes mapped. */
    private long mapOne(long va, long pa, int level, boolean read, boolean write) {
        PresentCount table = enterTableAt(va, level);
        long slot = table.page + (long) indexOf(va, level) * SIZE;
        long e = memory.read64(slot);
        if (!present(e)) {
            e = memory.compareAndExchange64(slot, e, entry(pa, read, write, level > 1));
            if (!present(e)) {
                return pageSizeAt(level); // this map's count in the table is now its entry's
            }
        }
        table.n--;
        if (level > 1 && (e & PS) == 0) {
            // A table already hangs here (smaller mappings nearby): map this piece with smaller leaves.
            return mapOne(va, pa, level - 1, read, write);
        }
        throw overlap(va);
    }

    /**
     * The table whose entries at {@code level} map {@code va}, with this map counted into it (the
     * caller's leaf takes the count over, or the caller takes it back). Walks from the root,
     * hanging tables where none is, counted into one table at a time.
     */
    private PresentCount enterTableAt(long va, int level) {
        if (level == 1 && va >>> LEAF_KEY_SHIFT == leafKey) {
            leafCount.n++; // a remembered table is never one being released
            return leafCount;
        }
        PresentCount table = rootCount; // the root is never released, so never counted into
        for (int l = levels; l > level; l--) {
            PresentCount child = enterChild(table, va, l);
            if (table != rootCount) {
                table.n--; // the child's count now keeps the path above it
            }
            table = child;
        }
        if (level == 1) {
            rememberLeafTable(va, table);
        }
        return table;
    }

    /**
     * The table that {@code va}'s entry at level {@code l} of {@code table} (a table this map is
     * counted into, or the root) points to, with this map counted into it: hangs a new table where
     * the entry is empty, or where the table there is being released.
     */
    private PresentCount enterChild(PresentCount table, long va, int l) {
        long slot = table.page + (long) indexOf(va, l) * SIZE;
        while (true) {
            long e = memory.read64(slot);
            PresentCount child;
            if (!present(e)) {
                child = hangTable(slot, e);
                if (child != null) {
                    table.n++; // its new entry
                }
            } else if ((e & PS) != 0) {
                throw overlap(va);
            } else {
                child = presentCounts.get(e & ADDRESS_MASK);
                if (child == null) {
                    throw new IllegalStateException(String.format("IOVA %#x: the level-%d entry points at %#x, which is not one "
                            + "of this domain's tables", va, l, e & ADDRESS_MASK));
                }
                if (!child.dying) {
                    child.n++; // nothing ran since the read: the table is linked here
                    return child;
                }
                // Its unmap waits in the store that unlinks it (this runs inside that wait): take its place.
                child = hangTable(slot, e);
            }
            if (child != null) {
                child.n++;
                return child;
            }
            // Work nested in the allocation or the store changed the entry first: look again.
        }
    }

    /**
     * Hangs a new table in {@code slot} if it still holds {@code expected}; returns the new table's
     * count, or null when the entry changed meanwhile (the new table is freed). The allocation and the store
     * may wait for the bus while other CPUs' work runs, and that work may hang its own table here
     * first: the store is a compare-and-exchange (Linux's {@code cmpxchg64} in {@code pfn_to_dma_pte}).
     */
    private PresentCount hangTable(long slot, long expected) {
        long next = allocateTable();
        long found = memory.compareAndExchange64(slot, expected, entry(next, true, true, false));
        if (found != expected) {
            forget(next);
            memory.freePage(next);
            return null;
        }
        return presentCounts.get(next);
    }

    private static IllegalArgumentException overlap(long va) {
        return new IllegalArgumentException(String.format("IOVA %#x is already mapped", va));
    }

    /**
     * Clears the leaves of [iova, iova + size) and returns the table pages that became empty and
     * were unlinked (the caller frees them after invalidating). Pages that were not mapped are
     * skipped.
     *
     * @throws IllegalArgumentException when unaligned, beyond the limit, or cutting a superpage
     *         in part (naming the IOVA)
     */
    public List<Long> unmap(long iova, long size) {
        checkRange(iova, size);
        long end = iova + size;
        if (size > PAGE_SIZE) {
            // Refuse before changing anything: only the leaves at the two ends can stick out. A
            // single page needs no pre-check: unmapAt refuses a cut superpage before writing.
            refuseCutAtEdge(iova, iova, end);
            refuseCutAtEdge(end - 1, iova, end);
        }
        List<Long> freed = List.of(); // most unmaps empty no table: then nothing is allocated
        long va = iova;
        while (va < end) {
            long next = unmapAt(va, end);
            if (next < 0) {
                // The cleared leaf's table emptied (rare): release it, and its parents that empty too.
                next = ~next;
                if (!(freed instanceof ArrayList)) {
                    freed = new ArrayList<>(levels);
                }
                int leafLevel = levelOfPageSize(next - va);
                releaseEmpty(va, pathTo(va, leafLevel), leafLevel, freed);
            }
            va = next;
        }
        return freed;
    }

    /** The level whose entries map pages of {@code pageSize} (4 KiB: 1, 2 MiB: 2, 1 GiB: 3). */
    private static int levelOfPageSize(long pageSize) {
        return 1 + (Long.numberOfTrailingZeros(pageSize) - 12) / 9;
    }

    private void refuseCutAtEdge(long edge, long iova, long end) {
        Leaf leaf = lookup(edge);
        if (leaf != null && (leaf.iovaBase() < iova || leaf.iovaBase() + leaf.pageSize() > end)) {
            throw new IllegalArgumentException(String.format("unmap of [%#x, %#x) cuts the %d KiB page at IOVA %#x",
                    iova, end, leaf.pageSize() >> 10, leaf.iovaBase()));
        }
    }

    /**
     * Clears what covers {@code va}; returns the next IOVA to look at, or its complement (negative:
     * IOVAs are below 2^57) when the cleared leaf left its table empty, for the caller to release.
     */
    private long unmapAt(long va, long end) {
        long cached = cachedLeafTable(va);
        long table = cached >= 0 ? cached : root;
        for (int l = cached >= 0 ? 1 : levels; l >= 1; l--) {
            long slot = table + (long) indexOf(va, l) * SIZE;
            long e = memory.read64(slot);
            long span = pageSizeAt(l);
            if (!present(e)) {
                return Math.min(end, (va & ~(span - 1)) + span);
            }
            if (l == 1 || (e & PS) != 0) {
                if ((va & (span - 1)) != 0 || end - va < span) {
                    throw new IllegalArgumentException(String.format(
                            "unmap of [%#x, %#x) cuts the %d KiB page at IOVA %#x", va, end, span >> 10, va & ~(span - 1)));
                }
                memory.write64(slot, 0);
                decrement(table);
                if (l < levels && countOf(table).n == 0) {
                    return ~(va + span); // rare: the caller redoes the walk to release the table
                }
                return va + span;
            }
            table = e & ADDRESS_MASK;
            if (l == 2) {
                PresentCount c = presentCounts.get(table);
                if (c != null && !c.dying) {
                    rememberLeafTable(va, c);
                }
            }
        }
        throw new AssertionError("unreachable");
    }

    /** The tables a walk for {@code va} passes through, indexed by level, from the root down to {@code leafLevel}. */
    private long[] pathTo(long va, int leafLevel) {
        long[] path = new long[levels + 1];
        long table = root;
        for (int l = levels; l > leafLevel; l--) {
            path[l] = table;
            table = memory.read64(table + (long) indexOf(va, l) * SIZE) & ADDRESS_MASK;
        }
        path[leafLevel] = table;
        return path;
    }

    /**
     * Unlinks tables, from level {@code leafLevel} up, that hold no present entry and no map any
     * more. A table is marked as being released before the store that unlinks it: a map that runs
     * inside that store's wait for the bus and needs the table hangs a fresh one in its place, and
     * the store (a compare-and-exchange) then leaves the fresh one there.
     */
    private void releaseEmpty(long va, long[] path, int leafLevel, List<Long> freed) {
        for (int l = leafLevel; l < levels; l++) {
            long table = path[l];
            PresentCount c = presentCounts.get(table);
            if (c == null || c.dying || c.n != 0) {
                return; // in use again, or released by work nested in this unmap
            }
            c.dying = true;
            forgetLeafTable(table);
            long parent = path[l + 1];
            long slot = parent + (long) indexOf(va, l + 1) * SIZE;
            long linked = entry(table, true, true, false);
            if (memory.compareAndExchange64(slot, linked, 0) == linked) {
                decrement(parent);
            }
            forget(table);
            freed.add(table);
        }
    }

    /** The kernel's intent for {@code iova}: a software walk of these tables. */
    public OptionalLong translate(long iova) {
        Leaf leaf = lookup(iova);
        return leaf == null ? OptionalLong.empty() : OptionalLong.of(leaf.physicalOf(iova));
    }

    /** Whether a present leaf maps {@code iova} (as {@code lookup(iova) != null}, without building the leaf). */
    public boolean isMapped(long iova) {
        if (iova < 0 || iova >= addressLimit()) {
            return false;
        }
        long cached = cachedLeafTable(iova);
        if (cached >= 0) {
            return present(memory.read64(cached + (long) indexOf(iova, 1) * SIZE));
        }
        long table = root;
        for (int l = levels; l >= 1; l--) {
            long e = memory.read64(table + (long) indexOf(iova, l) * SIZE);
            if (!present(e)) {
                return false;
            }
            if (l == 1 || (e & PS) != 0) {
                return true;
            }
            table = e & ADDRESS_MASK;
        }
        return false;
    }

    /** The leaf that maps {@code iova}, or null. */
    public Leaf lookup(long iova) {
        if (iova < 0 || iova >= addressLimit()) {
            return null;
        }
        long cached = cachedLeafTable(iova);
        long table = cached >= 0 ? cached : root;
        for (int l = cached >= 0 ? 1 : levels; l >= 1; l--) {
            long e = memory.read64(table + (long) indexOf(iova, l) * SIZE);
            if (!present(e)) {
                return null;
            }
            if (l == 1 || (e & PS) != 0) {
                long ps = pageSizeAt(l);
                return new Leaf(iova & ~(ps - 1), e & ADDRESS_MASK, ps, (e & R) != 0, (e & W) != 0);
            }
            table = e & ADDRESS_MASK;
        }
        return null;
    }

    /** Frees every table page (the domain is gone and no context entry points here any more). */
    public void destroy() {
        for (long page : List.copyOf(presentCounts.keySet())) {
            memory.freePage(page);
        }
        presentCounts.clear();
        lastCountedTable = -1;
        lastCount = null;
        leafKey = -1;
        leafCount = null;
    }

    private void checkRange(long iova, long size) {
        if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(String.format("size %#x is not a positive multiple of 4 KiB", size));
        }
        if ((iova & (PAGE_SIZE - 1)) != 0 || iova < 0) {
            throw new IllegalArgumentException(String.format("IOVA %#x is not 4 KiB aligned", iova));
        }
        if (iova + size > addressLimit() || iova + size < iova) {
            throw new IllegalArgumentException(String.format(
                    "IOVA range [%#x, +%#x) exceeds the %d-level tables' limit %#x", iova, size, levels, addressLimit()));
        }
    }

    private long allocateTable() {
        long page = memory.allocatePage();
        presentCounts.put(page, new PresentCount(page));
        return page;
    }

    /** Drops a table page's count: it is about to be freed. */
    private void forget(long table) {
        forgetLeafTable(table);
        presentCounts.remove(table);
        if (table == lastCountedTable) {
            lastCountedTable = -1;
            lastCount = null;
        }
    }

    /** The remembered leaf table if it maps {@code va}'s 2 MiB, else -1. */
    private long cachedLeafTable(long va) {
        return va >>> LEAF_KEY_SHIFT == leafKey ? leafCount.page : -1;
    }

    private void rememberLeafTable(long va, PresentCount table) {
        leafKey = va >>> LEAF_KEY_SHIFT;
        leafCount = table;
    }

    private void forgetLeafTable(long table) {
        if (leafKey >= 0 && table == leafCount.page) {
            leafKey = -1;
            leafCount = null;
        }
    }

    private void decrement(long table) {
        countOf(table).n--;
    }

    private PresentCount countOf(long table) {
        if (table != lastCountedTable) {
            PresentCount count = presentCounts.get(table);
            if (count == null) {
                throw new IllegalStateException(String.format("table page %#x is not one of this domain's tables", table));
            }
            lastCountedTable = table;
            lastCount = count;
        }
        return lastCount;
    }
}
