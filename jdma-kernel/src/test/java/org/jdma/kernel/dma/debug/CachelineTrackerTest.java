package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The run-based tracker answers as a table of one count per line would: the same reports (which
 * category, at which line, in which order) and the same number of tracked lines, over random
 * sequences of tracks and untracks of single ranges and scatterlists whose segments share lines,
 * with the overlap cap and a capacity small enough to fill up.
 */
class CachelineTrackerTest {

    private static final int LINE = 64;
    private static final DmaDevice DEVICE = new DmaDevice("dev", RequesterId.of(0, 3, 0), false);

    /** The rules of check 22-24, one line at a time (the tracker's behaviour before it kept runs). */
    private static final class PerLine {
        final Map<Long, Integer> active = new HashMap<>();
        final int capacity;
        boolean warned;
        boolean disabled;
        final List<String> reports = new ArrayList<>();

        PerLine(int capacity) {
            this.capacity = capacity;
        }

        void track(MappedRegion r) {
            if (r.direction == DmaDirection.TO_DEVICE) {
                return;
            }
            TreeSet<Long> lines = lines(r);
            if (lines.size() > capacity) {
                reports.add("CACHELINE_TRACKING_OUT_OF_MEMORY@" + (r.starts[0] & -LINE));
                disabled = true;
                return;
            }
            long overlap = -1;
            for (long ln : lines) {
                Integer c = active.get(ln);
                if (c == null) {
                    if (active.size() >= capacity) {
                        reports.add("CACHELINE_TRACKING_OUT_OF_MEMORY@" + ln * LINE);
                        disabled = true;
                        return;
                    }
                    active.put(ln, 0);
                } else {
                    if (c + 1 > CachelineTracker.MAX_OVERLAP) {
                        if (!warned) {
                            warned = true;
                            reports.add("CACHELINE_OVERLAP_LIMIT@" + ln * LINE);
                        }
                    } else {
                        active.put(ln, c + 1);
                    }
                    if (overlap < 0) {
                        overlap = ln * LINE;
                    }
                }
            }
            if (overlap >= 0 && !r.skipCpuSync) {
                reports.add("CACHELINE_OVERLAP@" + overlap);
            }
        }

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

        static TreeSet<Long> lines(MappedRegion r) {
            TreeSet<Long> lines = new TreeSet<>();
            for (int i = 0; i < r.starts.length; i++) {
                for (long a = r.starts[i]; a < r.ends[i]; a += LINE) {
                    lines.add(a / LINE);
                }
                if (r.ends[i] > r.starts[i]) {
                    lines.add((r.ends[i] - 1) / LINE);
                }
            }
            return lines;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldAnswerAsAPerLineTableWould(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = seed % 2 == 0 ? 1 << 20 : 300;
        PerLine model = new PerLine(capacity);
        List<String> reports = new ArrayList<>();
        boolean[] disabled = {false};
        CachelineTracker tracker = new CachelineTracker(capacity, LINE, new CachelineTracker.Sink() {
            @Override
            public void report(DmaDebugCategory category, DebugEntry entry, long line, String text) {
                reports.add(category + "@" + line);
            }

            @Override
            public void disable() {
                disabled[0] = true;
            }
        });
        List<MappedRegion> live = new ArrayList<>();
        for (int op = 0; op < 2000 && !disabled[0]; op++) {
            if (!live.isEmpty() && random.nextInt(3) == 0) {
                MappedRegion r = live.remove(random.nextInt(live.size()));
                tracker.untrack(r);
                model.untrack(r);
            } else {
                MappedRegion r = region(random);
                DebugEntry e = new DebugEntry(DEVICE, 0, 1, r.starts[0], r.type, r.direction, 1, 1, null, null, r);
                tracker.track(e);
                model.track(r);
                live.add(r);
            }
            assertEquals(model.reports, reports, "after operation " + op);
            assertEquals(model.disabled, disabled[0]);
            assertEquals(model.active.size(), tracker.trackedLines(), "after operation " + op);
        }
    }

    /** A single range or a scatterlist of up to 4 segments in 16 KiB, so that mappings overlap often. */
    private static MappedRegion region(SplittableRandom random) {
        int segments = random.nextInt(4) + 1;
        long[] starts = new long[segments];
        long[] ends = new long[segments];
        for (int i = 0; i < segments; i++) {
            starts[i] = random.nextLong(16 * 1024);
            ends[i] = starts[i] + random.nextLong(2048);
        }
        DmaDirection[] directions = {DmaDirection.BIDIRECTIONAL, DmaDirection.TO_DEVICE, DmaDirection.FROM_DEVICE};
        DmaDirection direction = directions[random.nextInt(directions.length)];
        return new MappedRegion(DEVICE, segments == 1 ? DmaMappingType.SINGLE : DmaMappingType.SCATTER_GATHER, direction,
                random.nextInt(8) == 0, starts, ends);
    }
}
