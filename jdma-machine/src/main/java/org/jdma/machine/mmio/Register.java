package org.jdma.machine.mmio;

/**
 * One register of a register file.
 *
 * @param name      the datasheet name
 * @param offset    byte offset in the window, naturally aligned to {@code width}
 * @param width     4 or 8 bytes
 * @param access    access kind
 * @param mask      the bits that exist; others read as zero and ignore writes
 * @param reset     value after reset
 */
public record Register(String name, int offset, int width, RegisterAccess access, long mask, long reset) {
    public Register {
        if (width != 4 && width != 8) {
            throw new IllegalArgumentException("register " + name + ": width must be 4 or 8, was " + width);
        }
        if (offset % width != 0) {
            throw new IllegalArgumentException("register " + name + ": offset " + offset + " not aligned to " + width);
        }
        if (width == 4) {
            mask &= 0xFFFF_FFFFL;
        }
        reset &= mask;
    }

    public static Register of(String name, int offset, int width, RegisterAccess access, long mask) {
        return new Register(name, offset, width, access, mask, 0);
    }
}
