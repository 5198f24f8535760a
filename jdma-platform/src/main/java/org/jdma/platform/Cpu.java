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
 *
 * <p>Port I/O ({@link #in8} ... {@link #out32}) reaches the separate 64 KiB I/O address space of
 * x86 (Intel SDM Vol. 1 §19.2-19.3): ports {@code 0..}{@link #MAX_IO_PORT}, values little-endian
 * (a 16-bit access at port {@code p} is port {@code p} in bits 7:0 and {@code p + 1} in bits 15:8).
 * A port no device claims behaves like an ISA/LPC master abort: reads return all ones, writes are
 * dropped. Every access, read or write, stalls the CPU for the machine's modeled I/O-cycle cost
 * (an I/O write is non-posted: the CPU waits for its completion), during which devices may run.
 * An access whose last byte lies beyond {@link #MAX_IO_PORT} is an
 * {@link IllegalArgumentException} naming the port: a kernel bug, not device behaviour.
 *
 * <p>Several CPUs: {@link Platform#cpus()} lists them, each with its {@link #index()} and local
 * {@link #apicId()}; {@link Platform#cpu()} is the one the calling code runs on. All CPUs share one
 * memory and one cache, coherent among themselves (a store by one is seen by the others; cache
 * maintenance by address reaches every CPU's copy). Loads, stores and port accesses are executed by
 * the CPU the calling code runs on, whichever {@code Cpu} object they go through, as an instruction
 * is executed by the CPU that runs it: a {@code Cpu} kept from boot is not a way to act as another
 * CPU ({@link Platform#runOn} is).
 */
public interface Cpu {

    /** The highest I/O port: the x86 I/O address space is 2^16 8-bit ports (SDM Vol. 1 §19.2). */
    int MAX_IO_PORT = 0xFFFF;

    /** This CPU's position in {@link Platform#cpus()}: 0 is the boot CPU. */
    default int index() {
        return 0;
    }

    /**
     * This CPU's local APIC id: what the destination field of an MSI names to reach it (Intel SDM
     * Vol. 3A §11.11.1).
     */
    default int apicId() {
        return 0;
    }

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

    /**
     * Replaces the 8 bytes of RAM at {@code phys} with {@code value} if they hold {@code expected},
     * as x86 {@code LOCK CMPXCHG} does: the bus is taken once for the whole read-compare-write, so
     * no device access and no other CPU's work comes between them (a plain load and store each may
     * wait for the bus, and other work runs in that wait). Returns the value found: {@code expected}
     * when the exchange happened.
     *
     * @throws IllegalArgumentException when the 8 bytes are not RAM
     */
    long compareAndExchange64(long phys, long expected, long value);

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

    /**
     * RAM [phys, phys + length) resolved once, for memory this CPU reaches all the time (a
     * descriptor ring): the same accesses at offsets, with the same effects. The default makes
     * every access through this CPU's methods; a machine may reach the memory directly while
     * nothing needs to see each access.
     *
     * @throws IllegalArgumentException when the range is empty, or (where the implementation can
     *         tell) not inside one RAM region
     */
    default RamWindow window(long phys, long length) {
        return RamWindow.through(this, phys, length);
    }

    /** Reads the 8-bit I/O port {@code port} (x86 {@code IN AL, DX}). Returns 0..255. */
    int in8(int port);

    /** Reads ports {@code port, port + 1} as one 16-bit value, little-endian. Returns 0..0xFFFF. */
    int in16(int port);

    /** Reads ports {@code port .. port + 3} as one 32-bit value, little-endian. */
    int in32(int port);

    /** Writes the low 8 bits of {@code value} to I/O port {@code port} (x86 {@code OUT DX, AL}). */
    void out8(int port, int value);

    /** Writes the low 16 bits of {@code value} to ports {@code port, port + 1}, little-endian. */
    void out16(int port, int value);

    /** Writes {@code value} to ports {@code port .. port + 3}, little-endian. */
    void out32(int port, int value);
}
