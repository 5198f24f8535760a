package org.jdma.machine.memory;

/**
 * A device's claim on the I/O port space as the CPU reaches it. Offsets are relative to the first
 * port of the claim; widths are 1, 2 or 4 bytes and an access never reaches past the claim's last
 * port (the {@link IoPortSpace} splits accesses that would). Values are little-endian: the byte
 * at {@code offset} is bits 7:0. Implementations must not throw for any offset, width or value.
 */
public interface IoPortHandler {
    /** An I/O read; only the low {@code 8 * width} bits of the result are used. */
    int read(int offset, int width);

    /** An I/O write; only the low {@code 8 * width} bits of {@code value} are meaningful. */
    void write(int offset, int width, int value);
}
