package org.jdma.platform;

import java.lang.foreign.MemorySegment;

/**
 * The CPU's view of the physical address space, as kernel code running on it has it. RAM
 * accesses go through the CPU cache ({@link #cache()}); MMIO accesses go uncached to a device's
 * registers; accesses to holes behave like a PCI master abort: reads return all ones, writes are
 * dropped. No single load or store throws for any address.
 *
 * <p>All multi-byte values are little-endian. Bulk operations ({@link #read}, {@link #write},
 * {@link #fill}) and the ordered accessors are for RAM only and reject ranges that are not RAM
 * with an {@link IllegalArgumentException} naming the address: that is a bug in kernel code, not
 * an input the machine must survive.
 *
 * <p>Memory ordering: plain loads and stores are plain; {@code *Acquire} loads and
 * {@code *Release} stores order as their names say, for memory a device or a device thread
 * shares with the CPU (status bytes written last, doorbell words).
 */
public interface Cpu {

    /** The CPU data cache: coherency, line size, maintenance, memory types. */
    CacheMaintenance cache();

    int read8(long phys);

    int read16(long phys);

    int read32(long phys);

    long read64(long phys);

    void write8(long phys, int value);

    void write16(long phys, int value);

    void write32(long phys, int value);

    void write64(long phys, long value);

    /**
     * An 8-bit RAM load with acquire ordering: the read side of a status byte a device publishes
     * last, with release (a completion record's status). Returns 0..255.
     */
    int read8Acquire(long phys);

    /** A 32-bit RAM load with acquire ordering (status words a device thread publishes). */
    int read32Acquire(long phys);

    /** A 32-bit RAM store with release ordering (publishes earlier stores to a device thread). */
    void write32Release(long phys, int value);

    long read64Acquire(long phys);

    void write64Release(long phys, long value);

    /** Copies RAM [phys, phys + length) into {@code dst} at {@code dstOffset}. */
    void read(long phys, MemorySegment dst, long dstOffset, long length);

    default void read(long phys, byte[] dst) {
        read(phys, MemorySegment.ofArray(dst), 0, dst.length);
    }

    /** Copies {@code length} bytes of {@code src} at {@code srcOffset} into RAM at {@code phys}. */
    void write(long phys, MemorySegment src, long srcOffset, long length);

    default void write(long phys, byte[] src) {
        write(phys, MemorySegment.ofArray(src), 0, src.length);
    }

    /** Sets RAM [phys, phys + length) to {@code value}. */
    void fill(long phys, long length, byte value);
}
