package org.jdma.machine.cpu;

import java.lang.foreign.MemorySegment;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.DirectRam;
import org.jdma.machine.cache.CpuCache;
import org.jdma.platform.Cpu;
import org.jdma.platform.RamWindow;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.memory.MmioWindow;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.machine.time.EventKernel;

/**
 * One CPU of the machine ({@link MachineCpus}): the {@link Cpu} an OS runs on, with its index, its
 * local APIC id and counters for reports. RAM accesses go through the CPU cache the CPUs share;
 * MMIO accesses go uncached to the device's register file; accesses to holes behave like a PCI
 * master abort: reads return all ones, writes are dropped, and both are counted in
 * {@link #busErrors()}. No access throws for any address.
 *
 * <p>Accesses are executed by the CPU the calling thread runs as ({@link MachineCpus#current()}),
 * whichever CPU object they go through, and counted on it: an object kept from boot and used by
 * code that entered CPU 2 counts on CPU 2.
 *
 * <p>Port I/O goes to the machine's {@link IoPortSpace}. Each {@code IN} or {@code OUT} stalls the
 * CPU for {@code ioPortAccessNs} of virtual time, during which devices run: an I/O read waits for
 * its data, and an I/O write is non-posted (PCIe Base 4.0 §2.4.1: I/O Write Requests need a
 * completion), so the CPU waits for it too. The stall comes before a read samples the device and
 * after a write reaches it. Accesses to unclaimed ports read all ones, drop writes, and count as
 * bus errors like holes in the physical address space.
 *
 * <p>Every access that is not to RAM (MMIO, holes, port I/O) is uncached, so it first drains the
 * cache's write-combining buffers (Intel SDM Vol. 3A §12.3): a doorbell write reaches the device
 * after the write-combined stores made before it.
 *
 * <p>Bulk operations ({@link #read}, {@link #write}, {@link #fill}) are for RAM only and reject
 * ranges that are not RAM with an {@link IllegalArgumentException} naming the address; that is a
 * bug in the kernel code, not an input the machine must survive.
 */
public final class MachineCpu implements Cpu {

    /**
     * Default cost of one port I/O access, ns: about one ISA/LPC I/O cycle. Linux times its
     * {@code outb} to port 0x80 at about 1 µs (its {@code io_delay=udelay} fallback waits 2 µs as
     * an upper bound, {@code arch/x86/kernel/io_delay.c}); an LPC I/O cycle is 13 clocks at
     * 33 MHz plus the bridge's turnaround.
     */
    public static final long DEFAULT_IO_PORT_ACCESS_NS = 1_000;

    private final MachineCpus cpus;
    private final int index;
    private final int apicId;
    private final PhysicalMemory memory;
    private final IoPortSpace ioPorts;
    private final CpuCache cache;
    /** The cache when it is the coherent one (RAM accesses may then go straight to memory while it is unwatched), else null. */
    private final CoherentCache coherent;
    private final EventKernel kernel;
    private final long mmioAccessNs;
    private final long ioPortAccessNs;
    private long busErrors;
    private long mmioReads;
    private long mmioWrites;
    private long ioReads;
    private long ioWrites;
    private long busStallNs;
    private long busStalls;

    /**
     * A machine with this one CPU (index 0, APIC id 0), for rigs without a {@code Machine}.
     *
     * @param mmioAccessNs   stall of an uncached MMIO read, ns
     * @param ioPortAccessNs stall of each port I/O read or write, ns ({@link #DEFAULT_IO_PORT_ACCESS_NS})
     */
    public MachineCpu(PhysicalMemory memory, IoPortSpace ioPorts, CpuCache cache, EventKernel kernel,
                      long mmioAccessNs, long ioPortAccessNs) {
        this(new MachineCpus(memory, ioPorts, cache, kernel, 1, mmioAccessNs, ioPortAccessNs), 0, 0);
        cpus.replaceOnlyCpu(this);
    }

    MachineCpu(MachineCpus cpus, int index, int apicId) {
        this.cpus = cpus;
        this.index = index;
        this.apicId = apicId;
        this.memory = cpus.memory;
        this.ioPorts = cpus.ioPorts;
        this.cache = cpus.cache;
        this.coherent = cache instanceof CoherentCache c ? c : null;
        this.kernel = cpus.kernel;
        this.mmioAccessNs = cpus.mmioAccessNs;
        this.ioPortAccessNs = cpus.ioPortAccessNs;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int apicId() {
        return apicId;
    }

    /** Runs {@code code} on the calling thread as this CPU (see {@link MachineCpus#runOn}). */
    public void run(Runnable code) {
        cpus.runOn(index, code);
    }

    @Override
    public CpuCache cache() {
        return cache;
    }

    /** Accesses this CPU made that reached nothing: holes in the physical address space and unclaimed I/O ports. */
    public long busErrors() {
        return busErrors;
    }

    /** Port I/O reads ({@code IN}) this CPU executed. */
    public long ioReads() {
        return ioReads;
    }

    /** Port I/O writes ({@code OUT}) this CPU executed. */
    public long ioWrites() {
        return ioWrites;
    }

    /** Modeled time this CPU's RAM accesses waited while another bus owner (ISA DMA) held the bus, ns. */
    public long busStallNs() {
        return busStallNs;
    }

    /** RAM accesses of this CPU that had to wait for the bus. */
    public long busStalls() {
        return busStalls;
    }

    /** Waits while another owner holds the memory bus (see {@link MemoryBusGate}); counted on the running CPU. */
    private void awaitBus() {
        MemoryBusGate g = cpus.memoryBusGate;
        if (g != null) {
            long ns = g.awaitBus();
            if (ns > 0) {
                MachineCpu c = cpus.current();
                c.busStallNs += ns;
                c.busStalls++;
            }
        }
    }

    /** The stall of one port I/O access, ns. */
    public long ioPortAccessNs() {
        return ioPortAccessNs;
    }

    /** MMIO reads this CPU executed. */
    public long mmioReads() {
        return mmioReads;
    }

    /** MMIO writes this CPU executed. */
    public long mmioWrites() {
        return mmioWrites;
    }

    @Override
    public String toString() {
        return "CPU " + index + " (APIC id " + apicId + ")";
    }

    /** The RAM region holding all of [phys, phys + size), or null. */
    private RamRegion ramFor(long phys, long size) {
        RamRegion r = memory.ramAt(phys);
        return r != null && size >= 0 && phys - r.base() + size <= r.size() ? r : null;
    }

    /**
     * Whether a RAM access may go straight to the region's memory: the coherent cache would do
     * nothing else now (no typed range, no observer); the region is then looked up once, not twice.
     */
    private boolean direct() {
        return coherent != null && coherent.unwatched();
    }

    /**
     * {@link #direct()} for an access that does not wait for the bus first ({@link DirectRamWindow}):
     * also no ISA DMA may be able to hold the bus.
     */
    boolean directWithoutBusWait() {
        return cpus.memoryBusGate == null && direct();
    }

    private long load(long phys, int size) {
        RamRegion r = ramFor(phys, size);
        if (r != null) {
            awaitBus();
            if (direct()) {
                return DirectRam.load(r.memory(), phys - r.base(), size);
            }
            return switch (size) {
                case 1 -> cache.loadByte(phys) & 0xFFL;
                case 2 -> cache.loadShort(phys) & 0xFFFFL;
                case 4 -> cache.loadInt(phys) & 0xFFFF_FFFFL;
                default -> cache.loadLong(phys);
            };
        }
        cache.uncachedAccess();
        MmioWindow w = memory.mmioAt(phys);
        if (w != null && phys - w.base() + size <= w.size()) {
            cpus.current().mmioReads++;
            // An uncached read stalls the CPU for a round trip; devices may advance meanwhile.
            kernel.runFor(mmioAccessNs);
            return w.handler().read(phys - w.base(), size);
        }
        cpus.current().busErrors++;
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    private void store(long phys, int size, long value) {
        RamRegion r = ramFor(phys, size);
        if (r != null) {
            awaitBus();
            if (direct()) {
                DirectRam.store(r.memory(), phys - r.base(), size, value);
                return;
            }
            switch (size) {
                case 1 -> cache.storeByte(phys, (byte) value);
                case 2 -> cache.storeShort(phys, (short) value);
                case 4 -> cache.storeInt(phys, (int) value);
                default -> cache.storeLong(phys, value);
            }
            return;
        }
        cache.uncachedAccess();
        MmioWindow w = memory.mmioAt(phys);
        if (w != null && phys - w.base() + size <= w.size()) {
            cpus.current().mmioWrites++;
            // Posted write: the CPU continues at once; the device sees it now.
            w.handler().write(phys - w.base(), size, value);
            return;
        }
        cpus.current().busErrors++;
    }

    @Override
    public int read8(long phys) { return (int) load(phys, 1); }
    @Override
    public int read16(long phys) { return (int) load(phys, 2); }
    @Override
    public int read32(long phys) { return (int) load(phys, 4); }
    @Override
    public long read64(long phys) { return load(phys, 8); }
    @Override
    public void write8(long phys, int v) { store(phys, 1, v); }
    @Override
    public void write16(long phys, int v) { store(phys, 2, v); }
    @Override
    public void write32(long phys, int v) { store(phys, 4, v & 0xFFFF_FFFFL); }
    @Override
    public void write64(long phys, long v) { store(phys, 8, v); }

    /**
     * An 8-bit RAM load with acquire ordering: the read side of a status byte a device publishes
     * last, with release (a completion record's status). Returns 0..255.
     */
    @Override
    public int read8Acquire(long phys) {
        RamRegion r = requireRam(phys, 1);
        return direct() ? DirectRam.load8Acquire(r.memory(), phys - r.base()) : cache.loadByteAcquire(phys) & 0xFF;
    }

    /** A 32-bit RAM load with acquire ordering (for status words a device thread publishes). */
    @Override
    public int read32Acquire(long phys) {
        RamRegion r = requireRam(phys, 4);
        return direct() ? DirectRam.load32Acquire(r.memory(), phys - r.base()) : cache.loadIntAcquire(phys);
    }

    /** A 32-bit RAM store with release ordering (publishes earlier stores to a device thread). */
    @Override
    public void write32Release(long phys, int v) {
        RamRegion r = requireRam(phys, 4);
        if (direct()) {
            DirectRam.store32Release(r.memory(), phys - r.base(), v);
        } else {
            cache.storeIntRelease(phys, v);
        }
    }

    @Override
    public long read64Acquire(long phys) {
        RamRegion r = requireRam(phys, 8);
        return direct() ? DirectRam.load64Acquire(r.memory(), phys - r.base()) : cache.loadLongAcquire(phys);
    }

    @Override
    public void write64Release(long phys, long v) {
        RamRegion r = requireRam(phys, 8);
        if (direct()) {
            DirectRam.store64Release(r.memory(), phys - r.base(), v);
        } else {
            cache.storeLongRelease(phys, v);
        }
    }

    /** Waits for the bus once, then loads, compares and stores with nothing in between (no event runs in a cache access). */
    @Override
    public long compareAndExchange64(long phys, long expected, long value) {
        RamRegion r = requireRam(phys, 8);
        if (direct()) {
            long found = DirectRam.load(r.memory(), phys - r.base(), 8);
            if (found == expected) {
                DirectRam.store(r.memory(), phys - r.base(), 8, value);
            }
            return found;
        }
        long found = cache.loadLong(phys);
        if (found == expected) {
            cache.storeLong(phys, value);
        }
        return found;
    }

    /** Copies RAM [phys, phys + length) into {@code dst} at {@code dstOffset}. */
    @Override
    public void read(long phys, MemorySegment dst, long dstOffset, long length) {
        RamRegion r = requireRam(phys, length);
        if (direct()) {
            SegmentCopy.copy(r.memory(), phys - r.base(), dst, dstOffset, length);
        } else {
            cache.load(phys, dst, dstOffset, length);
        }
    }

    @Override
    public void read(long phys, byte[] dst) {
        read(phys, MemorySegment.ofArray(dst), 0, dst.length);
    }

    /** Copies {@code length} bytes of {@code src} at {@code srcOffset} into RAM at {@code phys}. */
    @Override
    public void write(long phys, MemorySegment src, long srcOffset, long length) {
        RamRegion r = requireRam(phys, length);
        if (direct()) {
            SegmentCopy.copy(src, srcOffset, r.memory(), phys - r.base(), length);
        } else {
            cache.store(phys, src, srcOffset, length);
        }
    }

    @Override
    public void write(long phys, byte[] src) {
        write(phys, MemorySegment.ofArray(src), 0, src.length);
    }

    @Override
    public void fill(long phys, long length, byte value) {
        RamRegion r = requireRam(phys, length);
        if (direct()) {
            r.memory().asSlice(phys - r.base(), length).fill(value);
        } else {
            cache.fill(phys, length, value);
        }
    }

    /**
     * [phys, phys + length) of one RAM region, resolved once: reached directly while the coherent
     * cache has no typed range and no observer and no ISA DMA can hold the bus, else this CPU's way.
     *
     * @throws IllegalArgumentException when the range is empty or not inside one RAM region
     */
    @Override
    public RamWindow window(long phys, long length) {
        RamWindow.checkWindow(phys, length);
        RamRegion r = memory.ramAt(phys);
        if (r == null || phys - r.base() + length > r.size()) {
            throw new IllegalArgumentException(String.format(
                    "RAM window [%#x, +%#x) is not inside one RAM region", phys, length));
        }
        return new DirectRamWindow(this, phys, r.memory().asSlice(phys - r.base(), length));
    }

    /** The region holding [phys, phys + length), after waiting for the bus; a kernel bug otherwise. */
    private RamRegion requireRam(long phys, long length) {
        RamRegion r = ramFor(phys, length);
        if (r == null) {
            throw new IllegalArgumentException(String.format(
                    "CPU RAM access [%#x, +%#x) is not inside one RAM region", phys, length));
        }
        awaitBus();
        return r;
    }

    @Override
    public int in8(int port) { return in(port, 1); }
    @Override
    public int in16(int port) { return in(port, 2); }
    @Override
    public int in32(int port) { return in(port, 4); }
    @Override
    public void out8(int port, int value) { out(port, 1, value); }
    @Override
    public void out16(int port, int value) { out(port, 2, value); }
    @Override
    public void out32(int port, int value) { out(port, 4, value); }

    private int in(int port, int width) {
        requirePort(port, width);
        cache.uncachedAccess();
        MachineCpu self = cpus.current();
        self.ioReads++;
        kernel.runFor(ioPortAccessNs);
        long unclaimed = ioPorts.unclaimedAccesses();
        int value = ioPorts.read(port, width);
        self.busErrors += ioPorts.unclaimedAccesses() - unclaimed;
        return value;
    }

    private void out(int port, int width, int value) {
        requirePort(port, width);
        cache.uncachedAccess();
        MachineCpu self = cpus.current();
        self.ioWrites++;
        long unclaimed = ioPorts.unclaimedAccesses();
        ioPorts.write(port, width, value);
        self.busErrors += ioPorts.unclaimedAccesses() - unclaimed;
        kernel.runFor(ioPortAccessNs);
    }

    private static void requirePort(int port, int width) {
        if (port < 0 || port + width - 1 > MAX_IO_PORT) {
            throw new IllegalArgumentException(String.format(
                    "%d-bit port I/O at port %#x is outside the I/O port space 0x0000-%#06x", 8 * width, port, MAX_IO_PORT));
        }
    }
}
