package org.jdma.machine.iommu.vtd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;

/**
 * The unit's own accesses to memory: table and descriptor fetches, and the invalidation-wait
 * status write. They go to RAM directly, as a device's do, never through a DMA port's translation.
 * A snooped read sees what the CPU wrote: on a write-back cache the range's dirty lines are written
 * back first. Either way the cache's observers learn of a device read or write, so a checker can
 * tell a walk that read lines software never cleaned.
 */
final class UnitMemory {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final PhysicalMemory memory;
    private final CpuCache cache;

    UnitMemory(PhysicalMemory memory, CpuCache cache) {
        this.memory = memory;
        this.cache = cache;
    }

    /** [physical, physical + size) of RAM, read by the unit; null when the bytes are not RAM. */
    MemorySegment read(long physical, int size, boolean snooped) {
        RamRegion r = readRegion(physical, size, snooped);
        return r == null ? null : r.memory().asSlice(physical - r.base(), size);
    }

    /**
     * As {@link #read}, for a caller that reads the bytes at once: the RAM region that holds
     * [physical, physical + size), or null; the bytes are at {@code physical - region.base()} of its
     * memory. No slice is made (a slice per descriptor fetch was a third of the allocation of a
     * strict unmap).
     */
    RamRegion readRegion(long physical, int size, boolean snooped) {
        RamRegion r = memory.ramHolding(physical, size);
        if (r != null) {
            if (snooped && !cache.coherent()) {
                cache.clean(physical, size);
            }
            cache.snoopDeviceRead(physical, size);
        }
        return r;
    }

    /**
     * A 32-bit little-endian write by the unit: to memory, then the cache learns of it, as for any
     * DMA write (on a non-coherent machine software invalidates the line before polling it). False
     * when the word is not RAM.
     */
    boolean writeInt(long physical, int value) {
        RamRegion r = memory.ramHolding(physical, Integer.BYTES);
        if (r == null) {
            return false;
        }
        r.memory().set(LE_INT, physical - r.base(), value);
        cache.snoopDeviceWrite(physical, Integer.BYTES);
        return true;
    }

    /** A 64-bit little-endian write by the unit, as {@link #writeInt}. False when the word is not RAM. */
    boolean writeLong(long physical, long value) {
        RamRegion r = memory.ramHolding(physical, Long.BYTES);
        if (r == null) {
            return false;
        }
        r.memory().set(LE_LONG, physical - r.base(), value);
        cache.snoopDeviceWrite(physical, Long.BYTES);
        return true;
    }
}
