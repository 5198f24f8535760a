package org.jdma.fuzz;

import java.util.Arrays;

/**
 * Reads fuzz bytes front to back as little-endian fields, so that a regression input can be
 * written by hand (or by a script) field by field; Jazzer's {@code FuzzedDataProvider} takes
 * integers from the end and bytes from the front, which is good for the fuzzer but opaque to a
 * person crafting a seed. Past the end every field reads as zero and {@link #exhausted()} is true.
 */
final class FuzzBytes {

    private final byte[] data;
    private int position;

    FuzzBytes(byte[] data) {
        this.data = data;
    }

    boolean exhausted() {
        return position >= data.length;
    }

    /** One byte, unsigned. */
    int u8() {
        return position < data.length ? data[position++] & 0xFF : 0;
    }

    /** Two bytes, unsigned little-endian. */
    int u16() {
        return u8() | u8() << 8;
    }

    /** Eight bytes, little-endian. */
    long u64() {
        long v = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            v |= (long) u8() << (Byte.SIZE * i);
        }
        return v;
    }

    /** One byte, as an index into {@code n} choices. */
    int choice(int n) {
        return u8() % n;
    }

    /** A length byte (at most {@code max}) followed by that many bytes (fewer at the end of the input). */
    byte[] bytes(int max) {
        int n = Math.min(u8() % (max + 1), data.length - Math.min(position, data.length));
        byte[] b = Arrays.copyOfRange(data, position, position + n);
        position += n;
        return b;
    }
}
