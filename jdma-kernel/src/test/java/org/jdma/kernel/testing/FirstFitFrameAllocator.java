package org.jdma.kernel.testing;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.FrameStats;
import org.jdma.kernel.mm.OutOfFramesException;
import org.jdma.kernel.mm.Zone;
import org.jdma.machine.firmware.MemoryMapEntry;

/**
 * Test-only frame allocator: first fit over the RAM entries of a memory map, blocks aligned to
 * their size, frame 0 reserved. Slow (linear scan) and simple; it stands in for the buddy
 * allocator until that lands on main.
 */
public final class FirstFitFrameAllocator implements FrameAllocator {

    private static final int MAX_ORDER = 12;

    private final List<MemoryMapEntry> ram;
    private final BitSet used = new BitSet();
    private final Map<Long, Integer> blocks = new HashMap<>();
    private final long managed;
    private long allocations;
    private long frees;
    private long failures;

    public FirstFitFrameAllocator(List<MemoryMapEntry> memoryMap) {
        this.ram = memoryMap.stream().filter(e -> e.type() == MemoryMapEntry.Type.RAM).toList();
        long n = 0;
        for (MemoryMapEntry e : ram) {
            n += e.length() >>> FRAME_SHIFT;
        }
        used.set(0);
        this.managed = n - 1;
    }

    @Override
    public synchronized long allocate(int order, Zone zone) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order " + order + " outside 0.." + MAX_ORDER);
        }
        long phys = find(order, zone);
        if (phys < 0 && zone == Zone.NORMAL) {
            phys = find(order, Zone.DMA32);
        }
        if (phys < 0) {
            failures++;
            throw new OutOfFramesException("no free block of order " + order + " in " + zone);
        }
        long frame = phys >>> FRAME_SHIFT;
        used.set((int) frame, (int) (frame + (1L << order)));
        blocks.put(phys, order);
        allocations++;
        return phys;
    }

    private long find(int order, Zone zone) {
        long blockBytes = (long) FRAME_SIZE << order;
        for (MemoryMapEntry e : ram) {
            long start = Math.max(e.base(), zone.start());
            long end = Math.min(e.end(), zone.end());
            for (long p = (start + blockBytes - 1) & -blockBytes; p + blockBytes <= end; p += blockBytes) {
                int f = (int) (p >>> FRAME_SHIFT);
                int next = used.nextSetBit(f);
                if (next < 0 || next >= f + (1 << order)) {
                    return p;
                }
            }
        }
        return -1;
    }

    @Override
    public long allocateBytes(long bytes, Zone zone) {
        return allocate(FrameAllocator.orderFor(bytes), zone);
    }

    @Override
    public synchronized void free(long physical, int order) {
        Integer o = blocks.get(physical);
        if (o == null || o != order) {
            throw new IllegalStateException(String.format("block %#x of order %d is not allocated", physical, order));
        }
        blocks.remove(physical);
        long frame = physical >>> FRAME_SHIFT;
        used.clear((int) frame, (int) (frame + (1L << order)));
        frees++;
    }

    @Override
    public int maxOrder() {
        return MAX_ORDER;
    }

    @Override
    public synchronized FrameStats stats() {
        long usedFrames = used.cardinality() - 1;
        long usedLow = used.get(0, (int) (Zone.DMA32.end() >>> FRAME_SHIFT)).cardinality() - 1;
        long low = 0;
        for (MemoryMapEntry e : ram) {
            long s = Math.max(e.base(), Zone.DMA32.start());
            long en = Math.min(e.end(), Zone.DMA32.end());
            if (en > s) {
                low += (en - s) >>> FRAME_SHIFT;
            }
        }
        return new FrameStats(managed, managed - usedFrames, low - 1 - usedLow, allocations, frees, failures);
    }
}
