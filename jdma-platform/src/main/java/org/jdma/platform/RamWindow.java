package org.jdma.platform;

import java.lang.foreign.MemorySegment;

/**
 * A RAM range a CPU reaches all the time (a descriptor ring, a queue), resolved once
 * ({@link Cpu#window}): the accesses of {@link Cpu} at offsets from {@link #physical()}, with the
 * same ordering and the same effects (cache, memory types, observers, the bus). An implementation
 * may reach the memory directly while nothing needs to see each access, and must go the CPU's way
 * otherwise.
 *
 * <p>Offsets are from the window's start; an access outside the window is an
 * {@link IndexOutOfBoundsException} naming the offset. Values are little-endian, as in {@link Cpu}.
 */
public interface RamWindow {

    /** Where the window starts in the physical address space. */
    long physical();

    /** The window's size in bytes. */
    long length();

    int read8(long offset);

    int read16(long offset);

    int read32(long offset);

    long read64(long offset);

    void write8(long offset, int value);

    void write16(long offset, int value);

    void write32(long offset, int value);

    void write64(long offset, long value);

    /** {@link Cpu#read8Acquire}. */
    int read8Acquire(long offset);

    /** {@link Cpu#read32Acquire}. */
    int read32Acquire(long offset);

    /** {@link Cpu#read64Acquire}. */
    long read64Acquire(long offset);

    /** {@link Cpu#write32Release}. */
    void write32Release(long offset, int value);

    /** {@link Cpu#write64Release}. */
    void write64Release(long offset, long value);

    /** Copies [offset, offset + length) of the window into {@code dst} at {@code dstOffset}. */
    void read(long offset, MemorySegment dst, long dstOffset, long length);

    /** Copies {@code length} bytes of {@code src} at {@code srcOffset} into the window at {@code offset}. */
    void write(long offset, MemorySegment src, long srcOffset, long length);

    /** Sets [offset, offset + length) of the window to {@code value}. */
    void fill(long offset, long length, byte value);

    /** A window that makes every access through {@code cpu}'s methods ({@link Cpu#window}'s default). */
    static RamWindow through(Cpu cpu, long physical, long length) {
        return new ThroughCpu(cpu, physical, length);
    }

    /** Every access through the CPU's own methods, after a bounds check. */
    final class ThroughCpu implements RamWindow {
        private final Cpu cpu;
        private final long physical;
        private final long length;

        ThroughCpu(Cpu cpu, long physical, long length) {
            this.cpu = java.util.Objects.requireNonNull(cpu, "cpu");
            checkWindow(physical, length);
            this.physical = physical;
            this.length = length;
        }

        @Override public long physical() { return physical; }
        @Override public long length() { return length; }

        @Override public int read8(long o) { return cpu.read8(at(o, 1)); }
        @Override public int read16(long o) { return cpu.read16(at(o, 2)); }
        @Override public int read32(long o) { return cpu.read32(at(o, 4)); }
        @Override public long read64(long o) { return cpu.read64(at(o, 8)); }
        @Override public void write8(long o, int v) { cpu.write8(at(o, 1), v); }
        @Override public void write16(long o, int v) { cpu.write16(at(o, 2), v); }
        @Override public void write32(long o, int v) { cpu.write32(at(o, 4), v); }
        @Override public void write64(long o, long v) { cpu.write64(at(o, 8), v); }
        @Override public int read8Acquire(long o) { return cpu.read8Acquire(at(o, 1)); }
        @Override public int read32Acquire(long o) { return cpu.read32Acquire(at(o, 4)); }
        @Override public long read64Acquire(long o) { return cpu.read64Acquire(at(o, 8)); }
        @Override public void write32Release(long o, int v) { cpu.write32Release(at(o, 4), v); }
        @Override public void write64Release(long o, long v) { cpu.write64Release(at(o, 8), v); }
        @Override public void read(long o, MemorySegment dst, long dstOffset, long n) { cpu.read(at(o, n), dst, dstOffset, n); }
        @Override public void write(long o, MemorySegment src, long srcOffset, long n) { cpu.write(at(o, n), src, srcOffset, n); }
        @Override public void fill(long o, long n, byte value) { cpu.fill(at(o, n), n, value); }

        private long at(long offset, long n) {
            checkAccess(offset, n, length, physical);
            return physical + offset;
        }

        @Override
        public String toString() {
            return String.format("RamWindow[%#x, +%#x) through %s", physical, length, cpu);
        }
    }

    /** Rejects a window that is empty or does not lie in the (non-negative) physical address space. */
    static void checkWindow(long physical, long length) {
        if (length <= 0 || physical < 0 || physical > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException(String.format("RAM window [%#x, +%#x) is empty or outside the address space",
                    physical, length));
        }
    }

    /** Rejects an access [offset, offset + n) outside a window of {@code length} bytes at {@code physical}. */
    static void checkAccess(long offset, long n, long length, long physical) {
        if (offset < 0 || n < 0 || offset > length - n) {
            throw new IndexOutOfBoundsException(String.format("access [%#x, +%d) is outside the %d-byte RAM window at %#x",
                    offset, n, length, physical));
        }
    }
}
