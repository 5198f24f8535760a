package org.jdma.machine.iommu.vtd;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unit's context cache: the root and context entries of recently seen source ids, fully
 * associative, LRU. Only entries that passed every check are cached, so a cached context is always
 * usable; it stays in use until a context-cache invalidation removes it, even if software has
 * rewritten the table in memory.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class ContextCache {

    /** A cached legacy context entry of source id {@code sourceId}. */
    record Context(int sourceId, long lo, long hi, int domainId) { }

    private final int capacity;
    private final LinkedHashMap<Integer, Context> entries;

    ContextCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Context> eldest) {
                return size() > ContextCache.this.capacity;
            }
        };
    }

    Context lookup(int sourceId) {
        return entries.get(sourceId);
    }

    void insert(Context c) {
        entries.put(c.sourceId(), c);
    }

    int invalidateAll() {
        int n = entries.size();
        entries.clear();
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

    private int removeIf(java.util.function.Predicate<Context> p) {
        int n = 0;
        for (Iterator<Context> it = entries.values().iterator(); it.hasNext(); ) {
            if (p.test(it.next())) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    int size() {
        return entries.size();
    }
}
