package org.jdma.kernel.dma.debug;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jdma.kernel.dma.DmaDirection;

/**
 * Linux dma-debug's active cache-line tracking ({@code active_cacheline_insert} and
 * {@code active_cacheline_remove}): mappings the device may write must not share a cache line
 * (check 22); the overlap count per line is capped (check 23, reported once); a full tracker
 * disables the checker (check 24). Unlike Linux, every line of a mapping is tracked, not only its
 * first. Not thread-safe: the checker's lock guards it.
 */
final class CachelineTracker {

    /** Linux {@code ACTIVE_CACHELINE_MAX_OVERLAP}: (1 << RADIX_TREE_MAX_TAGS) - 1. */
    static final int MAX_OVERLAP = 7;

    /** What the tracker tells the checker. */
    interface Sink {
        void report(DmaDebugCategory category, DebugEntry entry, long line, String text);

        /** The tracker ran out of room: the checker disables itself. */
        void disable();
    }

    private final Map<Long, Integer> active = new HashMap<>();
    private final int capacity;
    private final Sink sink;
    private int shift;
    private boolean overlapLimitWarned;

    CachelineTracker(int capacity, int lineSize, Sink sink) {
        this.capacity = capacity;
        this.sink = sink;
        lineSize(lineSize);
    }

    void lineSize(int bytes) {
        this.shift = Integer.numberOfTrailingZeros(bytes);
    }

    /** Starts tracking the lines of {@code e}'s region (its first entry). */
    void track(DebugEntry e) {
        MappedRegion r = e.region;
        if (r.direction == DmaDirection.TO_DEVICE) {
            return; // "If the device is not writing memory then we don't have any concerns about the cpu consuming stale data"
        }
        boolean overlap = false;
        long overlapLine = -1;
        for (long ln : lines(r)) {
            Integer c = active.get(ln);
            if (c == null) {
                if (active.size() >= capacity) {
                    sink.report(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY, e, ln << shift,
                            String.format("cacheline tracking ENOMEM, dma-debug disabled [tracked lines=%d]", active.size()));
                    sink.disable();
                    return;
                }
                active.put(ln, 0);
            } else {
                int n = c + 1;
                if (n > MAX_OVERLAP) {
                    if (!overlapLimitWarned) {
                        overlapLimitWarned = true; // WARN_ONCE
                        sink.report(DmaDebugCategory.CACHELINE_OVERLAP_LIMIT, e, ln << shift, String.format(
                                "exceeded %d overlapping mappings of cacheline 0x%x", MAX_OVERLAP, ln << shift));
                    }
                } else {
                    active.put(ln, n);
                }
                if (!overlap) {
                    overlap = true;
                    overlapLine = ln << shift;
                }
            }
        }
        if (overlap && !r.skipCpuSync) {
            sink.report(DmaDebugCategory.CACHELINE_OVERLAP, e, overlapLine, String.format(
                    "cacheline tracking EEXIST, overlapping mappings aren't supported [cacheline=0x%x]", overlapLine));
        }
    }

    /** Stops tracking the lines of a region whose last entry went. */
    void untrack(MappedRegion r) {
        if (r.direction == DmaDirection.TO_DEVICE) {
            return;
        }
        for (long ln : lines(r)) {
            Integer c = active.get(ln);
            if (c != null) {
                if (c == 0) {
                    active.remove(ln);
                } else {
                    active.put(ln, c - 1);
                }
            }
        }
    }

    void clear() {
        active.clear();
    }

    /** The distinct cache-line numbers of a region, ascending (sg segments may share lines with each other). */
    private long[] lines(MappedRegion r) {
        if (r.starts.length == 1) {
            long first = r.starts[0] >>> shift;
            long last = (r.ends[0] - 1) >>> shift;
            long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, last - first + 1)];
            for (int i = 0; i < out.length; i++) {
                out[i] = first + i;
            }
            return out;
        }
        SortedSet<Long> set = new TreeSet<>();
        for (int i = 0; i < r.starts.length; i++) {
            for (long ln = r.starts[i] >>> shift; ln <= (r.ends[i] - 1) >>> shift; ln++) {
                set.add(ln);
            }
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }
}
