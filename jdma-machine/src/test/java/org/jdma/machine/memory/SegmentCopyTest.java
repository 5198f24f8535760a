package org.jdma.machine.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SegmentCopyTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment ram = arena.allocate(256, 8);

    @AfterEach
    void close() {
        arena.close();
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void shouldCopySmallHeapSliceIntoNativeAtTheSliceOffset() {
        byte[] array = pattern(48);
        MemorySegment slice = MemorySegment.ofArray(array).asSlice(5, 40);
        SegmentCopy.copy(slice, 3, ram, 17, 31);
        for (int i = 0; i < 31; i++) {
            assertEquals(array[5 + 3 + i], ram.get(ValueLayout.JAVA_BYTE, 17 + i), "byte " + i);
        }
        assertEquals(0, ram.get(ValueLayout.JAVA_BYTE, 16));
        assertEquals(0, ram.get(ValueLayout.JAVA_BYTE, 17 + 31));
    }

    @Test
    void shouldCopySmallNativeIntoHeapSliceAtTheSliceOffset() {
        MemorySegment.copy(pattern(64), 0, ram, ValueLayout.JAVA_BYTE, 64, 64);
        byte[] array = new byte[80];
        SegmentCopy.copy(ram, 64, MemorySegment.ofArray(array).asSlice(8), 2, 64);
        byte[] expected = new byte[80];
        System.arraycopy(pattern(64), 0, expected, 10, 64);
        assertArrayEquals(expected, array);
    }

    @Test
    void shouldRefuseToReadBeyondAHeapSliceEvenWhenTheArrayGoesOn() {
        MemorySegment slice = MemorySegment.ofArray(new byte[64]).asSlice(0, 16);
        assertThrows(IndexOutOfBoundsException.class, () -> SegmentCopy.copy(slice, 8, ram, 0, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> SegmentCopy.copy(ram, 0, slice, 8, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> SegmentCopy.copy(slice, -1, ram, 0, 4));
    }

    @Test
    void shouldRefuseAReadOnlyHeapDestination() {
        MemorySegment readOnly = MemorySegment.ofArray(new byte[16]).asReadOnly();
        assertThrows(IllegalArgumentException.class, () -> SegmentCopy.copy(ram, 0, readOnly, 0, 8));
    }

    @Test
    void shouldRefuseAReadOnlyNativeDestination() {
        MemorySegment src = MemorySegment.ofArray(pattern(16));
        assertThrows(IllegalArgumentException.class, () -> SegmentCopy.copy(src, 0, ram.asReadOnly(), 0, 8));
    }

    @Test
    void shouldCopyLargeAndNonByteArrayAndNativeToNativeThroughTheGenericCopy() {
        MemorySegment longs = MemorySegment.ofArray(new long[] {0x0102030405060708L, -1L});
        SegmentCopy.copy(longs, 0, ram, 0, 16);
        assertEquals(0x0102030405060708L, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        SegmentCopy.copy(ram, 0, ram, 100, 16);
        assertEquals(-1L, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 108));
        byte[] big = pattern(200);
        SegmentCopy.copy(MemorySegment.ofArray(big), 0, ram, 8, 200);
        assertEquals(big[199], ram.get(ValueLayout.JAVA_BYTE, 207));
    }

    @Test
    void shouldCopyNothingForZeroLength() {
        SegmentCopy.copy(MemorySegment.ofArray(new byte[4]), 4, ram, 256, 0);
        assertEquals(0, ram.get(ValueLayout.JAVA_BYTE, 255));
    }
}
