package org.jdma.machine.cache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The uncached-range set: merges on add, cuts on remove, and agrees with a byte map under random use. */
class UncachedRangesTest {

    @Test
    void shouldMergeOverlappingAndTouchingRanges() {
        UncachedRanges r = new UncachedRanges();
        r.add(0x1000, 0x2000);
        r.add(0x2000, 0x3000); // touching
        r.add(0x2800, 0x4000); // overlapping
        assertTrue(r.contains(0x1000));
        assertTrue(r.contains(0x3FFF));
        assertFalse(r.contains(0x4000), "end is exclusive");
        assertFalse(r.contains(0xFFF));
        r.remove(0x1000, 0x4000);
        assertFalse(r.contains(0x1000), "one merged range, removed whole");
        assertFalse(r.contains(0x3000));
    }

    @Test
    void shouldCutARangeWhenItsMiddleBecomesCacheable() {
        UncachedRanges r = new UncachedRanges();
        r.add(0x0, 0x4000);
        r.remove(0x1000, 0x2000);
        assertTrue(r.contains(0xFFF));
        assertFalse(r.contains(0x1000));
        assertFalse(r.contains(0x1FFF));
        assertTrue(r.contains(0x2000));
        assertTrue(r.contains(0x3FFF));
    }

    @Test
    void shouldAgreeWithAByteMapUnderRandomAddsAndRemoves() {
        long seed = 0x5EED_CAFEL;
        SplittableRandom random = new SplittableRandom(seed);
        int lines = 256;
        int line = 64;
        boolean[] truth = new boolean[lines];
        UncachedRanges r = new UncachedRanges();
        for (int step = 0; step < 2_000; step++) {
            int a = random.nextInt(lines);
            int b = a + 1 + random.nextInt(Math.min(16, lines - a));
            boolean add = random.nextBoolean();
            if (add) {
                r.add((long) a * line, (long) b * line);
            } else {
                r.remove((long) a * line, (long) b * line);
            }
            for (int i = a; i < b; i++) {
                truth[i] = add;
            }
            for (int i = 0; i < lines; i++) {
                if (truth[i] != r.contains((long) i * line + line / 2)) {
                    throw new AssertionError("seed " + seed + ", step " + step + ": line " + i + " should be "
                            + (truth[i] ? "uncached" : "cacheable") + " after " + (add ? "add" : "remove") + " [" + a + ", " + b + ")");
                }
            }
        }
    }
}
