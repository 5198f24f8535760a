package org.jdma.kernel.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * A bitmap with summary levels above it, so that the lowest set bit is found in one word read per
 * level instead of a scan. Level 0 holds the bits; bit {@code j} of level {@code l + 1} is set iff
 * word {@code j} of level {@code l} is non-zero. The top level is a single word.
 *
 * <pre>
 *   level 2 (top):  [.......1]                      one word
 *   level 1:        [..1.....][........] ...        bit j: word j of level 0 is non-zero
 *   level 0:        [........][........][...1....]  the bits themselves
 * </pre>
 *
 * <p>With 64-bit words, a million bits need four levels, so {@link #first()}, {@link #set} and
 * {@link #clear} touch at most four words. Memory is the bits plus about 1/63 for the summaries.
 * Not thread-safe; the allocator that owns it holds its lock.
 */
final class SummaryBitmap {

    private static final int WORD_SHIFT = 6;

    /** levels[0] are the bits; levels[levels.length - 1] has exactly one word. */
    private final long[][] levels;
    private final long size;

    SummaryBitmap(long size) {
        if (size <= 0 || (size + 63) >>> WORD_SHIFT > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bitmap size must be 1.." + ((long) Integer.MAX_VALUE << WORD_SHIFT) + ", was " + size);
        }
        this.size = size;
        List<long[]> built = new ArrayList<>();
        long bits = size;
        do {
            int words = (int) ((bits + 63) >>> WORD_SHIFT);
            built.add(new long[words]);
            bits = words;
        } while (bits > 1);
        this.levels = built.toArray(long[][]::new);
    }

    long size() {
        return size;
    }

    boolean get(long index) {
        return (levels[0][(int) (index >>> WORD_SHIFT)] & (1L << index)) != 0;
    }

    /** Sets a bit that is clear. */
    void set(long index) {
        long i = index;
        for (long[] level : levels) {
            int w = (int) (i >>> WORD_SHIFT);
            long old = level[w];
            level[w] = old | (1L << i); // a shift count is taken mod 64: the bit within the word
            if (old != 0) {
                return; // the summaries above already say this word is non-zero
            }
            i = w;
        }
    }

    /** Clears a bit that is set. */
    void clear(long index) {
        long i = index;
        for (long[] level : levels) {
            int w = (int) (i >>> WORD_SHIFT);
            long now = level[w] & ~(1L << i);
            level[w] = now;
            if (now != 0) {
                return;
            }
            i = w;
        }
    }

    /** The lowest set bit, or -1 when none is set. */
    long first() {
        int top = levels.length - 1;
        if (levels[top][0] == 0) {
            return -1;
        }
        long i = 0;
        for (int l = top; l >= 0; l--) {
            i = (i << WORD_SHIFT) | Long.numberOfTrailingZeros(levels[l][(int) i]);
        }
        return i;
    }

    /** The lowest set bit at or after {@code from}, or -1 (a scan of level 0; for reports, not the fast path). */
    long next(long from) {
        long[] bits = levels[0];
        int w = (int) (from >>> WORD_SHIFT);
        if (w >= bits.length) {
            return -1;
        }
        long word = bits[w] & (-1L << from);
        while (word == 0) {
            if (++w == bits.length) {
                return -1;
            }
            word = bits[w];
        }
        return ((long) w << WORD_SHIFT) | Long.numberOfTrailingZeros(word);
    }

    /** Bytes of the arrays behind this bitmap. */
    long footprintBytes() {
        long words = 0;
        for (long[] level : levels) {
            words += level.length;
        }
        return words * Long.BYTES;
    }
}
