package org.jdma.machine.cache;

import java.util.Map;
import java.util.TreeMap;

/**
 * The ranges of physical memory a CPU cache must not hold ({@link org.jdma.platform.MemoryType#UNCACHED}),
 * as disjoint, non-adjacent, line-aligned [start, end) intervals. Adding merges with overlapping or
 * touching intervals; removing splits them.
 *
 * <p>Not thread-safe: only the CPU thread changes or reads it (see {@link WriteBackCache}).
 */
final class UncachedRanges {

    /** start to end of each interval. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    /** Whether {@code p} lies in an uncached range. */
    boolean contains(long p) {
        if (ranges.isEmpty()) {
            return false;
        }
        Map.Entry<Long, Long> e = ranges.floorEntry(p);
        return e != null && p < e.getValue();
    }

    /** Makes [start, end) uncached, merging with the ranges it overlaps or touches. */
    void add(long start, long end) {
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(start)) != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(start, end);
    }

    /** Makes [start, end) cacheable again, cutting the ranges that overlap it. */
    void remove(long start, long end) {
        Map.Entry<Long, Long> before = ranges.lowerEntry(start);
        if (before != null && before.getValue() > start) {
            ranges.put(before.getKey(), start);
            if (before.getValue() > end) {
                ranges.put(end, before.getValue());
            }
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(start)) != null && next.getKey() < end) {
            ranges.remove(next.getKey());
            if (next.getValue() > end) {
                ranges.put(end, next.getValue());
            }
        }
    }
}
