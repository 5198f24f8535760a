package org.jdma.cli.dmatest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * dmatest's byte patterns (drivers/dma/dmatest.c, PATTERN_*): every source byte has bit 7 set,
 * every destination byte has it clear; bytes inside the range to copy get bit 6 (COPY) in the
 * source, bytes inside the range to be overwritten get bit 5 (OVERWRITE) in the destination; the
 * low five bits are the inverted byte index. A byte copied from the wrong offset, a byte not
 * copied, a byte written outside the range and a changed source byte each look different.
 *
 * <p>The four reference buffers are built once per buffer size; initialising and verifying a test
 * buffer is then bulk copies and {@link MemorySegment#mismatch} calls, so a 64 MiB buffer checks in
 * milliseconds. Only a mismatching region is walked byte by byte, to classify the error.
 */
public final class DmaTestPatterns {

    public static final int PATTERN_SRC = 0x80;
    public static final int PATTERN_DST = 0x00;
    public static final int PATTERN_COPY = 0x40;
    public static final int PATTERN_OVERWRITE = 0x20;
    public static final int PATTERN_COUNT_MASK = 0x1F;
    /** dmatest prints at most this many byte errors per buffer (MAX_ERROR_COUNT). */
    public static final int MAX_ERROR_COUNT = 32;

    /** One wrong byte: where, what was expected, what was found, and dmatest's diagnosis. */
    public record ByteError(String buffer, long offset, int expected, int actual, String diagnosis) {
        @Override
        public String toString() {
            return String.format("%s[%#x]: expected %#04x, found %#04x: %s", buffer, offset, expected, actual, diagnosis);
        }
    }

    private final long size;
    private final MemorySegment src;
    private final MemorySegment srcCopy;
    private final MemorySegment dst;
    private final MemorySegment dstOverwrite;

    public DmaTestPatterns(long size, Arena arena) {
        this.size = size;
        src = arena.allocate(size);
        srcCopy = arena.allocate(size);
        dst = arena.allocate(size);
        dstOverwrite = arena.allocate(size);
        // Period 32: build one period, then double the filled prefix.
        for (int i = 0; i < Math.min(32, size); i++) {
            int count = ~i & PATTERN_COUNT_MASK;
            src.set(ValueLayout.JAVA_BYTE, i, (byte) (PATTERN_SRC | count));
            srcCopy.set(ValueLayout.JAVA_BYTE, i, (byte) (PATTERN_SRC | PATTERN_COPY | count));
            dst.set(ValueLayout.JAVA_BYTE, i, (byte) (PATTERN_DST | count));
            dstOverwrite.set(ValueLayout.JAVA_BYTE, i, (byte) (PATTERN_DST | PATTERN_OVERWRITE | count));
        }
        for (long filled = 32; filled < size; filled *= 2) {
            long n = Math.min(filled, size - filled);
            for (MemorySegment s : List.of(src, srcCopy, dst, dstOverwrite)) {
                MemorySegment.copy(s, 0, s, filled, n);
            }
        }
    }

    public long size() {
        return size;
    }

    /** Fills {@code buf} (size bytes) as dmatest_init_srcs does for a copy of [start, start + len). */
    public void initSource(MemorySegment buf, long start, long len) {
        compose(buf, src, srcCopy, start, len);
    }

    /** Fills {@code buf} as dmatest_init_dsts does for an overwrite of [start, start + len). */
    public void initDestination(MemorySegment buf, long start, long len) {
        compose(buf, dst, dstOverwrite, start, len);
    }

    private void compose(MemorySegment buf, MemorySegment outside, MemorySegment inside, long start, long len) {
        MemorySegment.copy(outside, 0, buf, 0, start);
        MemorySegment.copy(inside, start, buf, start, len);
        MemorySegment.copy(outside, start + len, buf, start + len, size - start - len);
    }

    /** What the check of both buffers after one copy found: how many bytes were wrong, and the first of them. */
    public record Check(long wrongBytes, List<ByteError> errors) {
        /** The copy's own failure, with the data error appended when bytes were wrong; null when there is neither. */
        public String failure(String copyFailure) {
            if (wrongBytes == 0) {
                return copyFailure;
            }
            return (copyFailure == null ? "" : copyFailure + "; ") + "data error: " + wrongBytes + " wrong bytes";
        }
    }

    /**
     * Checks both buffers, read back after copying [srcOff, srcOff + len) to dstOff: the source
     * untouched ({@link #verifySource}), the destination an exact copy there and untouched elsewhere
     * ({@link #verifyDestination}).
     */
    public Check check(MemorySegment srcImage, MemorySegment dstImage, long srcOff, long dstOff, long len) {
        long[] errs = {0};
        List<ByteError> errors = new ArrayList<>(verifySource(srcImage, srcOff, len, errs));
        errors.addAll(verifyDestination(dstImage, srcOff, dstOff, len, errs));
        return new Check(errs[0], List.copyOf(errors));
    }

    /** Checks the source is untouched. Returns the errors found (at most {@link #MAX_ERROR_COUNT} kept). */
    public List<ByteError> verifySource(MemorySegment buf, long start, long len, long[] errorCount) {
        List<ByteError> errors = new ArrayList<>();
        check("srcbuf", buf, 0, src, 0, start, true, errors, errorCount);
        check("srcbuf", buf, start, srcCopy, start, len, true, errors, errorCount);
        check("srcbuf", buf, start + len, src, start + len, size - start - len, true, errors, errorCount);
        return errors;
    }

    /**
     * Checks the destination: nothing written before dstOff, an exact copy of the source's
     * [srcOff, srcOff + len) at dstOff, nothing written after.
     */
    public List<ByteError> verifyDestination(MemorySegment buf, long srcOff, long dstOff, long len, long[] errorCount) {
        List<ByteError> errors = new ArrayList<>();
        check("dstbuf", buf, 0, dst, 0, dstOff, false, errors, errorCount);
        check("dstbuf", buf, dstOff, srcCopy, srcOff, len, false, errors, errorCount);
        check("dstbuf", buf, dstOff + len, dst, dstOff + len, size - dstOff - len, false, errors, errorCount);
        return errors;
    }

    private static void check(String name, MemorySegment actual, long aOff, MemorySegment expected, long eOff, long len,
                              boolean isSource, List<ByteError> errors, long[] errorCount) {
        long pos = 0;
        while (pos < len) {
            long m = MemorySegment.mismatch(actual, aOff + pos, aOff + len, expected, eOff + pos, eOff + len);
            if (m < 0) {
                return;
            }
            pos += m;
            int a = actual.get(ValueLayout.JAVA_BYTE, aOff + pos) & 0xFF;
            int e = expected.get(ValueLayout.JAVA_BYTE, eOff + pos) & 0xFF;
            errorCount[0]++;
            if (errors.size() < MAX_ERROR_COUNT) {
                errors.add(new ByteError(name, aOff + pos, e, a, diagnose(isSource, e, a)));
            }
            pos++;
        }
    }

    /** dmatest_mismatch(): the same four diagnoses, in the same order. */
    static String diagnose(boolean isSource, int expected, int actual) {
        int diff = expected ^ actual;
        if (isSource) {
            return "srcbuf overwritten!";
        }
        if ((expected & PATTERN_COPY) != 0 && (diff & (PATTERN_COPY | PATTERN_OVERWRITE)) != 0) {
            return "dstbuf not copied!";
        }
        if ((diff & PATTERN_SRC) != 0) {
            return "dstbuf was copied!";
        }
        return "dstbuf mismatch!";
    }
}
