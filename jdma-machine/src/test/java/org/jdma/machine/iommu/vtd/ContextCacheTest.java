package org.jdma.machine.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ContextCacheTest {

    private static ContextCache.Context ctx(int sid, int did) {
        return new ContextCache.Context(sid, 0x1000L * sid, did, did);
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedEntryWhenFull() {
        ContextCache cache = new ContextCache(3);
        cache.insert(ctx(1, 1));
        cache.insert(ctx(2, 1));
        cache.insert(ctx(3, 1));
        assertNotNull(cache.lookup(1)); // 2 is now the oldest
        cache.insert(ctx(4, 1));
        assertEquals(3, cache.size());
        assertNull(cache.lookup(2));
        assertNotNull(cache.lookup(1));
        assertNotNull(cache.lookup(3));
        assertNotNull(cache.lookup(4));
    }

    @Test
    void shouldReplaceTheEntryOfASourceIdWithoutEvictingAnother() {
        ContextCache cache = new ContextCache(2);
        cache.insert(ctx(1, 1));
        cache.insert(ctx(2, 1));
        ContextCache.Context fresh = ctx(1, 7);
        cache.insert(fresh);
        assertEquals(2, cache.size());
        assertSame(fresh, cache.lookup(1));
        assertNotNull(cache.lookup(2));
        // 1 was refreshed by the insert, then 2 by its lookup: 1 is the oldest now.
        cache.insert(ctx(3, 1));
        assertNull(cache.lookup(1));
    }

    @Test
    void shouldForgetTheLastHitWhenItsEntryIsInvalidated() {
        ContextCache cache = new ContextCache(4);
        cache.insert(ctx(1, 1));
        cache.insert(ctx(2, 2));
        cache.insert(ctx(3, 1));
        assertNotNull(cache.lookup(3));
        assertEquals(2, cache.invalidateDomain(1));
        assertNull(cache.lookup(3));
        assertNull(cache.lookup(1));
        assertEquals(2, cache.lookup(2).domainId());
        assertEquals(1, cache.size());
    }

    @Test
    void shouldDropTheFunctionsTheMaskCovers() {
        ContextCache cache = new ContextCache(16);
        int device = 5 << 3; // bus 0, device 5
        for (int fn = 0; fn < 8; fn++) {
            cache.insert(ctx(device | fn, 1));
        }
        cache.insert(ctx(6 << 3, 1));
        assertEquals(1, cache.invalidateDevice(device | 1, 0));
        assertNull(cache.lookup(device | 1));
        assertEquals(2, cache.invalidateDevice(device | 6, 1)); // bit 2 ignored: functions 2 and 6
        assertEquals(3, cache.invalidateDevice(device | 3, 2)); // bits 2:1 ignored: 3, 5 and 7 (1 is gone)
        assertEquals(2, cache.invalidateDevice(device, 3)); // every function: 0 and 4 are left
        assertNotNull(cache.lookup(6 << 3)); // another device
        assertEquals(1, cache.size());
        assertNotNull(cache.lookup(6 << 3));
        assertEquals(1, cache.invalidateAll());
        assertNull(cache.lookup(6 << 3));
    }
}
