package org.jdma.kernel.dma.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Arrays;
import java.util.Comparator;
import org.jdma.kernel.dma.DmaDirection;

/**
 * Linux dma-debug's active cache-line tracking ({@code active_cacheline_insert} and
 * {@code active_cacheline_remove}): mappings the device may write must not share a cache line
 * (check 22); the overlap count per line is capped (check 23, reported once); a full tracker
 * disables the checker (check 24). Unlike Linux, every line of a mapping is tracked, not only its
 * first.
 *
 * <p>Lines are kept as runs, not one by one: a run is consecutive lines with the same overlap
 * count (0 = one mapping), keyed by its first line; lines no mapping covers are in no run.
 * Tracking a range splits the runs at its ends, adds one to every run inside and fills the gaps
 * with new runs; neighbours with equal counts merge again. A mapping of a megabyte is then a
 * handful of map operations instead of 16,384, while the answers (which line overlaps first,
 * where the tracker fills up, the counts) are those of a per-line table. Capacity counts lines,
 * as Linux's radix tree counts entries. Not thread-safe: the checker's lock guards it.
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

    /** Lines [first, end) with one overlap count; the key of the map is first. */
    private static final class Run {
        long end;
        int count;

        Run(long end, int count) {
            this.end = end;
            this.count = count;
        }
    }

    private final TreeMap<Long, Run> runs = new TreeMap<>();
    /** Lines in all runs. */
    private long lines;
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
            outOfMemory(e, r.starts[0] & -(1L << shift));
            return;
        }
        long overlapLine = -1;
        for (long[] range : distinctRanges(r)) {
            long overlap = trackRange(e, range[0], range[1]);
            if (overlap == FULL) {
                return;
            }
            if (overlapLine < 0 && overlap >= 0) {
                overlapLine = overlap << shift;
            }
        }
        if (overlapLine >= 0 && !r.skipCpuSync) {
            sink.report(DmaDebugCategory.CACHELINE_OVERLAP, e, overlapLine, String.format(
                    "cacheline tracking EEXIST, overlapping mappings aren't supported [cacheline=0x%x]", overlapLine));
        }
    }

    /** {@link #trackRange}'s answer when the tracker filled up (the checker is disabled). */
    private static final long FULL = Long.MIN_VALUE;

    /**
     * Tracks lines [first, last], ascending: returns the first line that was already tracked, -1
     * when none was, or {@link #FULL} when the tracker filled up on the way (lines up to there stay
     * tracked, as a per-line walk leaves them).
     */
    private long trackRange(DebugEntry e, long first, long last) {
        split(first);
        split(last + 1);
        // Keys, not the map's entries: a TreeMap removal or insertion may move keys between its nodes.
        List<Long> inside = new ArrayList<>(runs.subMap(first, true, last, true).keySet());
        long overlap = -1;
        long cursor = first;
        for (long start : inside) {
            if (start > cursor && !addGap(e, cursor, start - 1)) {
                return FULL;
            }
            Run run = runs.get(start);
            if (run.count + 1 > MAX_OVERLAP) {
                if (!overlapLimitWarned) {
                    overlapLimitWarned = true; // WARN_ONCE
                    sink.report(DmaDebugCategory.CACHELINE_OVERLAP_LIMIT, e, start << shift, String.format(
                            "exceeded %d overlapping mappings of cacheline 0x%x", MAX_OVERLAP, start << shift));
                }
            } else {
                run.count++;
            }
            if (overlap < 0) {
                overlap = start;
            }
            cursor = run.end;
        }
        if (cursor <= last && !addGap(e, cursor, last)) {
            return FULL;
        }
        merge(first - 1, last + 1);
        return overlap;
    }

    /** New runs of count 0 for untracked lines [first, last], until the tracker is full. */
    private boolean addGap(DebugEntry e, long first, long last) {
        long room = capacity - lines;
        long wanted = last - first + 1;
        if (wanted <= room) {
            runs.put(first, new Run(last + 1, 0));
            lines += wanted;
            return true;
        }
        if (room > 0) {
            runs.put(first, new Run(first + room, 0));
            lines += room;
        }
        outOfMemory(e, (first + room) << shift);
        return false;
    }

    private void outOfMemory(DebugEntry e, long address) {
        sink.report(DmaDebugCategory.CACHELINE_TRACKING_OUT_OF_MEMORY, e, address,
                String.format("cacheline tracking ENOMEM, dma-debug disabled [tracked lines=%d]", lines));
        sink.disable();
    }

    /** Stops tracking the lines of a region whose last entry went. */
    void untrack(MappedRegion r) {
        if (r.direction == DmaDirection.TO_DEVICE) {
            return;
        }
        for (long[] range : distinctRanges(r)) {
            long first = range[0];
            long last = range[1];
            split(first);
            split(last + 1);
            for (long start : new ArrayList<>(runs.subMap(first, true, last, true).keySet())) {
                Run run = runs.get(start);
                if (run.count == 0) {
                    runs.remove(start);
                    lines -= run.end - start;
                } else {
                    run.count--;
                }
            }
            merge(first - 1, last + 1);
        }
    }

    void clear() {
        runs.clear();
        lines = 0;
    }

    /** Lines tracked now (each counted once, however many mappings share it). */
    long trackedLines() {
        return lines;
    }

    /** Makes {@code line} the first line of a run if a run covers it. */
    private void split(long line) {
        Map.Entry<Long, Run> e = runs.lowerEntry(line);
        if (e != null && e.getValue().end > line) {
            Run left = e.getValue();
            runs.put(line, new Run(left.end, left.count));
            left.end = line;
        }
    }

    /** Joins adjacent runs of equal count that start in [from, to]. */
    private void merge(long from, long to) {
        Long key = runs.floorKey(from);
        if (key == null) {
            key = runs.ceilingKey(from);
        }
        while (key != null && key <= to) {
            Run run = runs.get(key);
            Run next = runs.get(run.end);
            if (next != null && next.count == run.count) {
                runs.remove(run.end);
                run.end = next.end;
            } else {
                key = runs.higherKey(key);
            }
        }
    }

    /** Whether the region covers more distinct lines than the tracker may hold. */
    boolean exceedsCapacity(MappedRegion r) {
        long n = 0;
        for (long[] range : distinctRanges(r)) {
            n += range[1] - range[0] + 1;
            if (n > capacity) {
                return true;
            }
        }
        return false;
    }

    /**
     * The region's lines as disjoint ranges {first line, last line}, ascending (sg segments may
     * share lines with each other: each line appears once).
     */
    private List<long[]> distinctRanges(MappedRegion r) {
        long[][] ranges = new long[r.starts.length][];
        int n = 0;
        for (int i = 0; i < r.starts.length; i++) {
            if (r.ends[i] != r.starts[i]) {
                ranges[n++] = new long[] {r.starts[i] >>> shift, (r.ends[i] - 1) >>> shift};
            }
        }
        ranges = Arrays.copyOf(ranges, n);
        Arrays.sort(ranges, Comparator.comparingLong(range -> range[0]));
        List<long[]> out = new ArrayList<>(n);
        long next = Long.MIN_VALUE; // the first line not covered yet
        for (long[] range : ranges) {
            long from = Math.max(range[0], next);
            if (from <= range[1]) {
                out.add(new long[] {from, range[1]});
            }
            next = Math.max(next, range[1] + 1);
        }
        return out;
    }
}
