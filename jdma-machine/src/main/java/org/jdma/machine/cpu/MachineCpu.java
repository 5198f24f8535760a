package org.jdma.machine.cpu;

import java.lang.foreign.MemorySegment;
import org.jdma.machine.cache.CpuCache;
import org.jdma.platform.Cpu;
import org.jdma.machine.memory.MmioWindow;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.time.EventKernel;

/**
 * The machine's CPU: the {@link Cpu} an OS runs on, plus counters for reports. RAM accesses go through the CPU cache; MMIO
 * accesses go uncached to the device's register file; accesses to holes behave like a PCI master
 * abort: reads return all ones, writes are dropped, and both are counted in {@link #busErrors()}.
 * No access throws for any address.
 *
 * <p>Bulk operations ({@link #read}, {@link #write}, {@link #fill}) are for RAM only and reject
 * ranges that are not RAM with an {@link IllegalArgumentException} naming the address; that is a
 * bug in the kernel code, not an input the machine must survive.
 */
public final class MachineCpu implements Cpu {

    private final PhysicalMemory memory;
    private final CpuCache cache;
    private final EventKernel kernel;
    private final long mmioAccessNs;
    private long busErrors;
    private long mmioReads;
    private long mmioWrites;

    public MachineCpu(PhysicalMemory memory, CpuCache cache, EventKernel kernel, long mmioAccessNs) {
        this.memory = memory;
        this.cache = cache;
        this.kernel = kernel;
        this.mmioAccessNs = mmioAccessNs;
    }

    @Override
    public CpuCache cache() {
        return cache;
    }

    public long busErrors() {
        return busErrors;
    }

    public long mmioReads() {
        return mmioReads;
    }

    public long mmioWrites() {
        return mmioWrites;
    }

    private boolean isRam(long phys, int size) {
        RamRegion r = memory.ramAt(phys);
        return r != null && phys - r.base() + size <= r.size();
    }

    private long load(long phys, int size) {
        if (isRam(phys, size)) {
            return switch (size) {
                case 1 -> cache.loadByte(phys) & 0xFFL;
                case 2 -> cache.loadShort(phys) & 0xFFFFL;
                case 4 -> cache.loadInt(phys) & 0xFFFF_FFFFL;
                default -> cache.loadLong(phys);
            };
        }
        MmioWindow w = memory.mmioAt(phys);
        if (w != null && phys - w.base() + size <= w.size()) {
            mmioReads++;
            // An uncached read stalls the CPU for a round trip; devices may advance meanwhile.
            kernel.runFor(mmioAccessNs);
            return w.handler().read(phys - w.base(), size);
        }
        busErrors++;
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    private void store(long phys, int size, long value) {
        if (isRam(phys, size)) {
            switch (size) {
                case 1 -> cache.storeByte(phys, (byte) value);
                case 2 -> cache.storeShort(phys, (short) value);
                case 4 -> cache.storeInt(phys, (int) value);
                default -> cache.storeLong(phys, value);
            }
            return;
        }
        MmioWindow w = memory.mmioAt(phys);
        if (w != null && phys - w.base() + size <= w.size()) {
            mmioWrites++;
            // Posted write: the CPU continues at once; the device sees it now.
            w.handler().write(phys - w.base(), size, value);
            return;
        }
        busErrors++;
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
        requireRam(phys, 1);
        return cache.loadByteAcquire(phys) & 0xFF;
    }

    /** A 32-bit RAM load with acquire ordering (for status words a device thread publishes). */
    @Override
    public int read32Acquire(long phys) {
        requireRam(phys, 4);
        return cache.loadIntAcquire(phys);
    }

    /** A 32-bit RAM store with release ordering (publishes earlier stores to a device thread). */
    @Override
    public void write32Release(long phys, int v) {
        requireRam(phys, 4);
        cache.storeIntRelease(phys, v);
    }

    @Override
    public long read64Acquire(long phys) {
        requireRam(phys, 8);
        return cache.loadLongAcquire(phys);
    }

    @Override
    public void write64Release(long phys, long v) {
        requireRam(phys, 8);
        cache.storeLongRelease(phys, v);
    }

    /** Copies RAM [phys, phys + length) into {@code dst} at {@code dstOffset}. */
    @Override
    public void read(long phys, MemorySegment dst, long dstOffset, long length) {
        requireRam(phys, length);
        cache.load(phys, dst, dstOffset, length);
    }

    @Override
    public void read(long phys, byte[] dst) {
        read(phys, MemorySegment.ofArray(dst), 0, dst.length);
    }

    /** Copies {@code length} bytes of {@code src} at {@code srcOffset} into RAM at {@code phys}. */
    @Override
    public void write(long phys, MemorySegment src, long srcOffset, long length) {
        requireRam(phys, length);
        cache.store(phys, src, srcOffset, length);
    }

    @Override
    public void write(long phys, byte[] src) {
        write(phys, MemorySegment.ofArray(src), 0, src.length);
    }

    @Override
    public void fill(long phys, long length, byte value) {
        requireRam(phys, length);
        cache.fill(phys, length, value);
    }

    private void requireRam(long phys, long length) {
        RamRegion r = memory.ramAt(phys);
        if (r == null || length < 0 || phys - r.base() + length > r.size()) {
            throw new IllegalArgumentException(String.format(
                    "CPU RAM access [%#x, +%#x) is not inside one RAM region", phys, length));
        }
    }
}
