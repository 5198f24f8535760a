package org.jdma.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SummaryBitmapTest {

    @Test
    void shouldFindTheLowestSetBitLikeABitSet() {
        for (long size : new long[] {1, 63, 64, 65, 4096, 4097, 300_000}) {
            long seed = 42 + size;
            var rnd = new SplittableRandom(seed);
            var b = new SummaryBitmap(size);
            var model = new BitSet();
            for (int step = 0; step < 20_000; step++) {
                int i = rnd.nextInt((int) size);
                if (model.get(i)) {
                    b.clear(i);
                    model.clear(i);
                } else {
                    b.set(i);
                    model.set(i);
                }
                String where = "size " + size + ", seed " + seed + ", step " + step;
                assertEquals(model.isEmpty() ? -1 : model.nextSetBit(0), b.first(), where);
                int from = rnd.nextInt((int) size);
                assertEquals(model.nextSetBit(from), (int) b.next(from), where);
                assertEquals(model.get(from), b.get(from), where);
            }
        }
    }

    @Test
    void shouldEmptyTheSummariesWhenTheLastBitIsCleared() {
        var b = new SummaryBitmap(1 << 20);
        b.set((1 << 20) - 1);
        b.set(70_000);
        assertEquals(70_000, b.first());
        b.clear(70_000);
        assertEquals((1 << 20) - 1, b.first());
        b.clear((1 << 20) - 1);
        assertEquals(-1, b.first());
        assertEquals(-1, b.next(0));
    }

    @Test
    void shouldRejectAnEmptyBitmap() {
        assertThrows(IllegalArgumentException.class, () -> new SummaryBitmap(0));
    }
}
