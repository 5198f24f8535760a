package org.jdma.cli.dmatest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jdma.cli.dmatest.DmaTestPatterns.ByteError;
import org.junit.jupiter.api.Test;

class DmaTestPatternsTest {

    private static final long SIZE = 4096 + 37;
    private static final long SRC_OFF = 100;
    private static final long DST_OFF = 1000;
    private static final long LEN = 777;

    private record Buffers(DmaTestPatterns p, MemorySegment src, MemorySegment dst) { }

    /** Source and destination as a correct copy leaves them. */
    private static Buffers correctCopy(Arena arena) {
        DmaTestPatterns p = new DmaTestPatterns(SIZE, arena);
        MemorySegment src = arena.allocate(SIZE);
        MemorySegment dst = arena.allocate(SIZE);
        p.initSource(src, SRC_OFF, LEN);
        p.initDestination(dst, DST_OFF, LEN);
        MemorySegment.copy(src, SRC_OFF, dst, DST_OFF, LEN);
        return new Buffers(p, src, dst);
    }

    private static List<ByteError> verifyAll(Buffers b, long[] count) {
        List<ByteError> errors = new java.util.ArrayList<>(b.p.verifySource(b.src, SRC_OFF, LEN, count));
        errors.addAll(b.p.verifyDestination(b.dst, SRC_OFF, DST_OFF, LEN, count));
        return errors;
    }

    @Test
    void shouldFollowDmatestPatternBits() {
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = correctCopy(arena);
            int before = b.src.get(ValueLayout.JAVA_BYTE, 5) & 0xFF;
            assertEquals(0x80 | (~5 & 0x1F), before, "source outside the range: bit 7 and the inverted index");
            int inside = b.src.get(ValueLayout.JAVA_BYTE, SRC_OFF) & 0xFF;
            assertEquals(0x80 | 0x40 | (~(int) SRC_OFF & 0x1F), inside, "source inside the range: bits 7 and 6");
            DmaTestPatterns fresh = new DmaTestPatterns(SIZE, arena);
            MemorySegment dst = arena.allocate(SIZE);
            fresh.initDestination(dst, DST_OFF, LEN);
            assertEquals(0x20 | (~(int) DST_OFF & 0x1F), dst.get(ValueLayout.JAVA_BYTE, DST_OFF) & 0xFF,
                    "destination inside the range: bit 5");
            assertEquals(~7 & 0x1F, dst.get(ValueLayout.JAVA_BYTE, 7) & 0xFF, "destination outside: bit 7 clear");
        }
    }

    @Test
    void shouldAcceptAnExactCopy() {
        try (Arena arena = Arena.ofConfined()) {
            long[] count = {0};
            assertTrue(verifyAll(correctCopy(arena), count).isEmpty());
            assertEquals(0, count[0]);
        }
    }

    @Test
    void shouldReportAnOverwrittenSource() {
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = correctCopy(arena);
            b.src.set(ValueLayout.JAVA_BYTE, 3, (byte) 0);
            long[] count = {0};
            List<ByteError> errors = verifyAll(b, count);
            assertEquals(1, count[0]);
            assertEquals("srcbuf", errors.getFirst().buffer());
            assertEquals(3, errors.getFirst().offset());
            assertEquals("srcbuf overwritten!", errors.getFirst().diagnosis());
        }
    }

    @Test
    void shouldReportAByteNotCopied() {
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = correctCopy(arena);
            DmaTestPatterns p = b.p;
            MemorySegment untouched = arena.allocate(SIZE);
            p.initDestination(untouched, DST_OFF, LEN);
            // The last byte of the range keeps its OVERWRITE pattern, as if the copy stopped one short.
            long last = DST_OFF + LEN - 1;
            b.dst.set(ValueLayout.JAVA_BYTE, last, untouched.get(ValueLayout.JAVA_BYTE, last));
            long[] count = {0};
            List<ByteError> errors = verifyAll(b, count);
            assertEquals(1, count[0]);
            assertEquals(last, errors.getFirst().offset());
            assertEquals("dstbuf not copied!", errors.getFirst().diagnosis());
        }
    }

    @Test
    void shouldReportAByteCopiedOutsideTheRange() {
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = correctCopy(arena);
            // One byte too many: the source byte after the range lands after the destination range.
            MemorySegment.copy(b.src, SRC_OFF + LEN, b.dst, DST_OFF + LEN, 1);
            long[] count = {0};
            List<ByteError> errors = verifyAll(b, count);
            assertEquals(1, count[0]);
            assertEquals(DST_OFF + LEN, errors.getFirst().offset());
            assertEquals("dstbuf was copied!", errors.getFirst().diagnosis());
        }
    }

    @Test
    void shouldReportACopyFromTheWrongOffset() {
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = correctCopy(arena);
            MemorySegment.copy(b.src, SRC_OFF + 1, b.dst, DST_OFF, LEN);
            long[] count = {0};
            List<ByteError> errors = verifyAll(b, count);
            assertTrue(count[0] >= LEN - 1, "a shifted copy makes nearly every byte wrong, got " + count[0]);
            assertEquals(DmaTestPatterns.MAX_ERROR_COUNT, errors.size(), "only MAX_ERROR_COUNT errors kept per buffer");
            assertTrue(errors.stream().anyMatch(e -> e.diagnosis().equals("dstbuf mismatch!")), errors.toString());
        }
    }
}
