package org.jdma.machine.cache;

import java.util.Map;
import java.util.TreeMap;
import org.jdma.platform.MemoryType;

/**
 * The memory types of physical ranges the OS set ({@link MemoryType#UNCACHED},
 * {@link MemoryType#WRITE_COMBINING}); every other byte is {@link MemoryType#WRITE_BACK}. Kept as
 * disjoint [start, end) intervals, each of one type; setting a type cuts the intervals it overlaps
 * and merges with touching neighbours of the same type.
 *
 * <p>The lookup on the access paths ({@link #typeAt}) costs an emptiness check when no range is set
 * and one tree lookup otherwise, whatever the number of types.
 *
 * <p>Not thread-safe: only the CPU thread changes or reads it (see {@link WriteBackCache}).
 */
final class MemoryTypeRanges {

    /** One interval: its exclusive end and its type (never WRITE_BACK). */
    private record Span(long end, MemoryType type) { }

    /** start to span. */
    private final TreeMap<Long, Span> ranges = new TreeMap<>();

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The type of the byte at {@code p}. */
    MemoryType typeAt(long p) {
        if (ranges.isEmpty()) {
            return MemoryType.WRITE_BACK;
        }
        Map.Entry<Long, Span> e = ranges.floorEntry(p);
        return e != null && p < e.getValue().end() ? e.getValue().type() : MemoryType.WRITE_BACK;
    }

    /**
     * The end of the run of bytes from {@code p} on that share {@code p}'s type: the end of its
     * interval, or the start of the next interval (or {@link Long#MAX_VALUE}) for a write-back byte.
     */
    long runEnd(long p) {
        Map.Entry<Long, Span> e = ranges.floorEntry(p);
        if (e != null && p < e.getValue().end()) {
            return e.getValue().end();
        }
        Long next = ranges.higherKey(p);
        return next == null ? Long.MAX_VALUE : next;
    }

    /** Gives [start, end) the type {@code type}, cutting and merging the intervals around it. */
    void set(long start, long end, MemoryType type) {
        cut(start, end);
        if (type == MemoryType.WRITE_BACK) {
            return;
        }
        Map.Entry<Long, Span> before = ranges.lowerEntry(start);
        if (before != null && before.getValue().end() == start && before.getValue().type() == type) {
            start = before.getKey();
        }
        Span after = ranges.get(end);
        if (after != null && after.type() == type) {
            ranges.remove(end);
            end = after.end();
        }
        ranges.put(start, new Span(end, type));
    }

    /** Removes [start, end) from every interval, keeping the parts outside it. */
    private void cut(long start, long end) {
        Map.Entry<Long, Span> before = ranges.lowerEntry(start);
        if (before != null && before.getValue().end() > start) {
            Span s = before.getValue();
            ranges.put(before.getKey(), new Span(start, s.type()));
            if (s.end() > end) {
                ranges.put(end, new Span(s.end(), s.type()));
            }
        }
        Map.Entry<Long, Span> next;
        while ((next = ranges.ceilingEntry(start)) != null && next.getKey() < end) {
            ranges.remove(next.getKey());
            Span s = next.getValue();
            if (s.end() > end) {
                ranges.put(end, new Span(s.end(), s.type()));
            }
        }
    }
}
