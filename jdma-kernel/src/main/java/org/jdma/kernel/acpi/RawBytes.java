package org.jdma.kernel.acpi;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string with value equality (records holding byte[] would compare identity). */
public final class RawBytes {
    private final byte[] bytes;

    public RawBytes(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    public int get(int index) {
        return bytes[index] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawBytes r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
