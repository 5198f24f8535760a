package org.jdma.kernel.dma.debug;

import java.util.HashMap;
import java.util.Map;
import java.util.Arrays;
import java.util.Comparator;
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
        if (exceedsCapacity(r)) {
            // More lines than the tracker holds: it would fill up on the way, so give up at once.
            sink.report(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY, e, r.starts[0] & -(1L << shift),
                    String.format("cacheline tracking ENOMEM, dma-debug disabled [tracked lines=%d]", active.size()));
            sink.disable();
            return;
        }
        boolean[] overlap = {false};
        long[] overlapLine = {0};
        boolean complete = forEachLine(r, ln -> {
            Integer c = active.get(ln);
            if (c == null) {
                if (active.size() >= capacity) {
                    sink.report(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY, e, ln << shift,
                            String.format("cacheline tracking ENOMEM, dma-debug disabled [tracked lines=%d]", active.size()));
                    sink.disable();
                    return false;
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
                if (!overlap[0]) {
                    overlap[0] = true;
                    overlapLine[0] = ln << shift;
                }
            }
            return true;
        });
        if (complete && overlap[0] && !r.skipCpuSync) {
            sink.report(DmaDebugCategory.CACHELINE_OVERLAP, e, overlapLine[0], String.format(
                    "cacheline tracking EEXIST, overlapping mappings aren't supported [cacheline=0x%x]", overlapLine[0]));
        }
    }

    /** Stops tracking the lines of a region whose last entry went. */
    void untrack(MappedRegion r) {
        if (r.direction == DmaDirection.TO_DEVICE) {
            return;
        }
        forEachLine(r, ln -> {
            Integer c = active.get(ln);
            if (c != null) {
                if (c == 0) {
                    active.remove(ln);
                } else {
                    active.put(ln, c - 1);
                }
            }
            return true;
        });
    }

    void clear() {
        active.clear();
    }

    /** What to do with one cache line; false stops the walk. */
    @FunctionalInterface
    private interface LineVisitor {
        boolean visit(long line);
    }

    /**
     * Visits the distinct cache-line numbers of a region, ascending (sg segments may share lines
     * with each other), one at a time: a mapping of terabytes costs no memory, and the walk stops
     * as soon as the visitor says so (a full tracker). Returns whether it visited every line.
     */
    private boolean forEachLine(MappedRegion r, LineVisitor visitor) {
        long[][] ranges = lineRanges(r);
        long next = Long.MIN_VALUE; // the first line not visited yet
        for (long[] range : ranges) {
            for (long ln = Math.max(range[0], next); ln <= range[1]; ln++) {
                if (!visitor.visit(ln)) {
                    return false;
                }
            }
            next = Math.max(next, range[1] + 1);
        }
        return true;
    }

    /** Whether the region covers more distinct lines than the tracker may hold. */
    boolean exceedsCapacity(MappedRegion r) {
        long lines = 0;
        long next = Long.MIN_VALUE;
        for (long[] range : lineRanges(r)) {
            long from = Math.max(range[0], next);
            if (from <= range[1]) {
                lines += range[1] - from + 1;
                if (lines > capacity) {
                    return true;
                }
            }
            next = Math.max(next, range[1] + 1);
        }
        return false;
    }

    /** Each non-empty range of the region as {first line, last line}, by first line. */
    private long[][] lineRanges(MappedRegion r) {
        long[][] ranges = new long[r.starts.length][];
        int n = 0;
        for (int i = 0; i < r.starts.length; i++) {
            if (r.ends[i] != r.starts[i]) {
                ranges[n++] = new long[] {r.starts[i] >>> shift, (r.ends[i] - 1) >>> shift};
            }
        }
        ranges = Arrays.copyOf(ranges, n);
        Arrays.sort(ranges, Comparator.comparingLong(range -> range[0]));
        return ranges;
    }
}
