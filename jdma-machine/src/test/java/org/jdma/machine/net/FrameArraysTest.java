package org.jdma.machine.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameArraysTest {

    @Test
    void shouldHandOutAnArrayGivenBackForAFrameOfItsLength() {
        FrameArrays arrays = new FrameArrays();
        byte[] first = arrays.take(1514);
        arrays.giveBack(first);
        assertSame(first, arrays.take(1514));
        assertEquals(1, arrays.made());
        assertEquals(1, arrays.reused());
    }

    @Test
    void shouldMakeANewArrayForALengthNothingOfWasGivenBack() {
        FrameArrays arrays = new FrameArrays();
        byte[] big = arrays.take(1514);
        arrays.giveBack(big);
        byte[] small = arrays.take(60);
        assertEquals(60, small.length);
        assertNotSame(big, small);
        assertSame(big, arrays.take(1514), "the other length's array is still there");
    }

    @Test
    void shouldHandOutTheMostRecentlyGivenBackFirst() {
        FrameArrays arrays = new FrameArrays();
        byte[] a = arrays.take(100);
        byte[] b = arrays.take(100);
        arrays.giveBack(a);
        arrays.giveBack(b);
        assertSame(b, arrays.take(100));
        assertSame(a, arrays.take(100));
    }

    @Test
    void shouldKeepAtMostItsShareOfArraysPerLength() {
        FrameArrays arrays = new FrameArrays();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < FrameArrays.PER_LENGTH + 10; i++) {
            out.add(arrays.take(64));
        }
        out.forEach(arrays::giveBack);
        for (int i = 0; i < FrameArrays.PER_LENGTH + 10; i++) {
            arrays.take(64);
        }
        assertEquals(FrameArrays.PER_LENGTH, arrays.reused(), "the ten beyond the limit were let go");
    }

    @Test
    void shouldForgetTheLengthUsedLeastRecentlyForANewOne() {
        FrameArrays arrays = new FrameArrays();
        byte[][] kept = new byte[FrameArrays.LENGTHS][];
        for (int i = 0; i < FrameArrays.LENGTHS; i++) {
            kept[i] = arrays.take(100 + i);
            arrays.giveBack(kept[i]);
        }
        assertSame(kept[0], arrays.take(100)); // length 100 used again: 101 is now the oldest
        arrays.giveBack(kept[0]);
        arrays.giveBack(arrays.take(500)); // a fifth length replaces 101's
        assertNotSame(kept[1], arrays.take(101));
        assertSame(kept[0], arrays.take(100));
        for (int i = 2; i < FrameArrays.LENGTHS; i++) {
            assertSame(kept[i], arrays.take(100 + i));
        }
    }
}
