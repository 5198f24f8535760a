package org.jdma.kernel.mm;

import static org.jdma.kernel.mm.FrameAllocator.FRAME_SHIFT;
import static org.jdma.kernel.mm.FrameAllocator.FRAME_SIZE;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jdma.platform.MemoryMapEntry;

/**
 * Which frames of a firmware memory map a frame allocator manages: the RAM entries rounded inwards
 * to whole frames, less frame 0 and every frame a RESERVED entry or a caller's reserved range
 * touches (rounded outwards), cut at every zone boundary (16 MiB, 4 GiB) so that no run spans two
 * zones, and every {@link #REGION_SPLIT_FRAMES} frames so that per-frame arrays stay indexable.
 */
final class FrameRanges {

    /**
     * Runs are also cut every 2^30 frames (4 TiB); the cut is aligned far above any block order,
     * so it splits no block that could exist anyway.
     */
    static final long REGION_SPLIT_FRAMES = 1L << 30;

    private FrameRanges() { }

    /**
     * The managed runs of {@code map}, ascending, as {start, end} frame numbers.
     *
     * @throws IllegalArgumentException naming the entry when an entry is empty, negative, wraps,
     *         has no type, or overlaps another RAM entry; or when no frame is left to manage
     */
    static List<long[]> of(List<MemoryMapEntry> map, PhysicalRange... reserved) {
        Objects.requireNonNull(map, "map");
        List<MemoryMapEntry> ram = new ArrayList<>();
        List<long[]> excluded = new ArrayList<>();
        excluded.add(new long[] {0, 1}); // frame 0
        for (int i = 0; i < map.size(); i++) {
            MemoryMapEntry e = map.get(i);
            if (e == null || e.type() == null) {
                throw new IllegalArgumentException("memory map entry " + i + " is null or has no type: " + e);
            }
            if (e.base() < 0 || e.length() <= 0 || e.base() + e.length() < 0) {
                throw new IllegalArgumentException(String.format(
                        "memory map entry %d (%s at %#x, length %#x) is empty, negative or wraps", i, e.type(), e.base(), e.length()));
            }
            switch (e.type()) {
                case RAM -> ram.add(e);
                case RESERVED -> excluded.add(outwardFrames(e.base(), e.end()));
            }
        }
        for (PhysicalRange r : reserved) {
            Objects.requireNonNull(r, "reserved range");
            excluded.add(outwardFrames(r.base(), r.end()));
        }
        List<long[]> ranges = ramFrames(ram);
        for (long[] x : excluded) {
            ranges = subtract(ranges, x[0], x[1]);
        }
        List<long[]> cut = new ArrayList<>();
        for (long[] r : ranges) {
            long start = r[0];
            while (start < r[1]) {
                long end = Math.min(r[1], nextCut(start));
                cut.add(new long[] {start, end});
                start = end;
            }
        }
        if (cut.isEmpty()) {
            throw new IllegalArgumentException("the memory map leaves no RAM frame to manage (RAM entries: " + ram.size()
                    + ", after removing frame 0 and reserved ranges)");
        }
        return cut;
    }

    /** RAM entries as whole frames, sorted; adjacent entries join into one run. */
    private static List<long[]> ramFrames(List<MemoryMapEntry> ram) {
        ram.sort(Comparator.comparingLong(MemoryMapEntry::base));
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < ram.size(); i++) {
            MemoryMapEntry e = ram.get(i);
            if (i > 0 && ram.get(i - 1).end() > e.base()) {
                MemoryMapEntry prev = ram.get(i - 1);
                throw new IllegalArgumentException(String.format(
                        "memory map RAM entries overlap: [%#x, %#x) and [%#x, %#x)", prev.base(), prev.end(), e.base(), e.end()));
            }
            long start = Math.ceilDiv(e.base(), FRAME_SIZE);
            long end = e.end() >>> FRAME_SHIFT;
            if (start < end && !ranges.isEmpty() && ranges.getLast()[1] == start) {
                ranges.getLast()[1] = end; // adjacent entries are one run of RAM: blocks may span them
            } else if (start < end) {
                ranges.add(new long[] {start, end});
            }
        }
        return ranges;
    }

    /** The first frame above {@code pfn} where a run must be cut: the end of its zone, or the next region split. */
    static long nextCut(long pfn) {
        Zone z = Zone.of(pfn << FRAME_SHIFT);
        if (z != Zone.NORMAL) {
            return z.end() >>> FRAME_SHIFT;
        }
        return (pfn / REGION_SPLIT_FRAMES + 1) * REGION_SPLIT_FRAMES;
    }

    private static long[] outwardFrames(long base, long end) {
        return new long[] {base >>> FRAME_SHIFT, Math.ceilDiv(end, FRAME_SIZE)};
    }

    /** Removes frames [xs, xe) from sorted, disjoint frame ranges. */
    private static List<long[]> subtract(List<long[]> ranges, long xs, long xe) {
        List<long[]> out = new ArrayList<>(ranges.size() + 1);
        for (long[] r : ranges) {
            if (xe <= r[0] || r[1] <= xs) {
                out.add(r);
                continue;
            }
            if (r[0] < xs) {
                out.add(new long[] {r[0], xs});
            }
            if (xe < r[1]) {
                out.add(new long[] {xe, r[1]});
            }
        }
        return out;
    }
}
