package org.jdma.machine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.jdma.platform.MemoryType;
import org.junit.jupiter.api.Test;

/**
 * The memory-type ranges: merge on set, cut when part of a range changes type, and agree with a
 * per-line map under random use.
 */
class MemoryTypeRangesTest {

    private static final MemoryType WB = MemoryType.WRITE_BACK;
    private static final MemoryType UC = MemoryType.UNCACHED;
    private static final MemoryType WC = MemoryType.WRITE_COMBINING;

    @Test
    void shouldMergeOverlappingAndTouchingRanges() {
        MemoryTypeRanges r = new MemoryTypeRanges();
        r.set(0x1000, 0x2000, UC);
        r.set(0x2000, 0x3000, UC); // touching
        r.set(0x2800, 0x4000, UC); // overlapping
        assertEquals(UC, r.typeAt(0x1000));
        assertEquals(UC, r.typeAt(0x3FFF));
        assertEquals(WB, r.typeAt(0x4000), "end is exclusive");
        assertEquals(WB, r.typeAt(0xFFF));
        assertEquals(0x4000, r.runEnd(0x1000), "one merged range");
        r.set(0x1000, 0x4000, WB);
        assertEquals(WB, r.typeAt(0x1000), "one merged range, removed whole");
        assertEquals(WB, r.typeAt(0x3000));
    }

    @Test
    void shouldCutARangeWhenItsMiddleBecomesCacheable() {
        MemoryTypeRanges r = new MemoryTypeRanges();
        r.set(0x0, 0x4000, UC);
        r.set(0x1000, 0x2000, WB);
        assertEquals(UC, r.typeAt(0xFFF));
        assertEquals(WB, r.typeAt(0x1000));
        assertEquals(WB, r.typeAt(0x1FFF));
        assertEquals(UC, r.typeAt(0x2000));
        assertEquals(UC, r.typeAt(0x3FFF));
    }

    @Test
    void shouldKeepTouchingRangesOfDifferentTypesApart() {
        MemoryTypeRanges r = new MemoryTypeRanges();
        r.set(0x1000, 0x2000, UC);
        r.set(0x2000, 0x3000, WC);
        assertEquals(UC, r.typeAt(0x1FFF));
        assertEquals(WC, r.typeAt(0x2000));
        assertEquals(0x2000, r.runEnd(0x1000));
        assertEquals(0x3000, r.runEnd(0x2000));
        assertEquals(0x1000, r.runEnd(0x10), "a write-back run ends where the next range starts");
        assertEquals(Long.MAX_VALUE, r.runEnd(0x3000));
        r.set(0x1800, 0x2800, WC);
        assertEquals(UC, r.typeAt(0x17FF));
        assertEquals(WC, r.typeAt(0x1800));
        assertEquals(0x3000, r.runEnd(0x1800), "the new WC part merged with the WC range it touches");
    }

    @Test
    void shouldAgreeWithALineMapUnderRandomSets() {
        long seed = 0x5EED_CAFEL;
        SplittableRandom random = new SplittableRandom(seed);
        MemoryType[] types = MemoryType.values();
        int lines = 256;
        int line = 64;
        MemoryType[] truth = new MemoryType[lines];
        java.util.Arrays.fill(truth, WB);
        MemoryTypeRanges r = new MemoryTypeRanges();
        for (int step = 0; step < 2_000; step++) {
            int a = random.nextInt(lines);
            int b = a + 1 + random.nextInt(Math.min(16, lines - a));
            MemoryType t = types[random.nextInt(types.length)];
            r.set((long) a * line, (long) b * line, t);
            for (int i = a; i < b; i++) {
                truth[i] = t;
            }
            for (int i = 0; i < lines; i++) {
                long p = (long) i * line + line / 2;
                if (truth[i] != r.typeAt(p)) {
                    throw new AssertionError("seed " + seed + ", step " + step + ": line " + i + " should be "
                            + truth[i] + " after setting [" + a + ", " + b + ") " + t + ", is " + r.typeAt(p));
                }
                int end = i;
                while (end < lines && truth[end] == truth[i]) {
                    end++;
                }
                long expectedEnd = end == lines && truth[i] == WB ? -1 : (long) end * line;
                long runEnd = r.runEnd(p);
                if (expectedEnd != -1 && runEnd != expectedEnd || expectedEnd == -1 && runEnd < (long) lines * line) {
                    throw new AssertionError("seed " + seed + ", step " + step + ": run from line " + i + " should end at "
                            + expectedEnd + ", ends at " + runEnd);
                }
            }
        }
    }
}
