package org.jdma.machine.iommu.vtd;

import java.util.function.Predicate;

/**
 * The unit's context cache: the root and context entries of recently seen source ids, fully
 * associative, LRU. Only entries that passed every check are cached, so a cached context is always
 * usable; it stays in use until a context-cache invalidation removes it, even if software has
 * rewritten the table in memory.
 *
 * <p>Every translation starts here, so the entries sit in arrays scanned in place (a unit serves a
 * handful of source ids) with the last hit tried first, and recency is a use stamp per entry: the
 * entry with the oldest stamp is the least recently used.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class ContextCache {

    /** A cached legacy context entry of source id {@code sourceId}. */
    record Context(int sourceId, long lo, long hi, int domainId) { }

    private final int capacity;
    /** Entries 0..size-1, in no particular order. */
    private final Context[] entries;
    private final int[] sourceIds;
    /** When each entry was last looked up or inserted, in {@link #clock} ticks. */
    private final long[] lastUse;
    private int size;
    private long clock;
    /** The entry the last lookup hit: translations come in runs from one requester. */
    private int lastHit;

    ContextCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("context cache of " + capacity + " entries: need at least 1");
        }
        this.capacity = capacity;
        this.entries = new Context[capacity];
        this.sourceIds = new int[capacity];
        this.lastUse = new long[capacity];
    }

    Context lookup(int sourceId) {
        int i = lastHit;
        if (i >= size || sourceIds[i] != sourceId) {
            i = indexOf(sourceId);
            if (i < 0) {
                return null;
            }
            lastHit = i;
        }
        lastUse[i] = ++clock;
        return entries[i];
    }

    /** Caches {@code c}, replacing the entry of its source id, or else the least recently used one when full. */
    void insert(Context c) {
        int i = indexOf(c.sourceId());
        if (i < 0) {
            i = size < capacity ? size++ : leastRecentlyUsed();
        }
        entries[i] = c;
        sourceIds[i] = c.sourceId();
        lastUse[i] = ++clock;
    }

    int invalidateAll() {
        int n = size;
        java.util.Arrays.fill(entries, 0, size, null);
        size = 0;
        return n;
    }

    int invalidateDomain(int domainId) {
        return removeIf(c -> c.domainId() == domainId);
    }

    /**
     * Drops the entries of {@code sourceId}, ignoring the function-number bits the function mask
     * names (CCMD.FM, §10.4.7: 0 none, 1 bit 2, 2 bits 2:1, 3 bits 2:0 of the function).
     */
    int invalidateDevice(int sourceId, int functionMask) {
        int masked = switch (functionMask) {
            case 0 -> 0;
            case 1 -> 0b100;
            case 2 -> 0b110;
            default -> 0b111;
        };
        int keep = ~masked & 0xFFFF;
        return removeIf(c -> (c.sourceId() & keep) == (sourceId & keep));
    }

    private int removeIf(Predicate<Context> p) {
        int n = 0;
        for (int i = size - 1; i >= 0; i--) {
            if (p.test(entries[i])) {
                size--;
                entries[i] = entries[size];
                sourceIds[i] = sourceIds[size];
                lastUse[i] = lastUse[size];
                entries[size] = null;
                n++;
            }
        }
        return n;
    }

    int size() {
        return size;
    }

    private int indexOf(int sourceId) {
        for (int i = 0; i < size; i++) {
            if (sourceIds[i] == sourceId) {
                return i;
            }
        }
        return -1;
    }

    private int leastRecentlyUsed() {
        int oldest = 0;
        for (int i = 1; i < size; i++) {
            if (lastUse[i] < lastUse[oldest]) {
                oldest = i;
            }
        }
        return oldest;
    }
}
