package org.jdma.machine.cpu;

import java.lang.foreign.MemorySegment;
import org.jdma.machine.cache.DirectRam;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.platform.RamWindow;

/**
 * {@link MachineCpu#window}: a RAM range inside one region, reached through the region's memory
 * segment while the CPU's way would do nothing else (the cache is coherent, no range has a memory
 * type, nobody observes the cache, and no ISA DMA can hold the bus), and through the CPU's methods
 * whenever it would. The check is one field read and one volatile read per access, where the CPU's
 * way resolves the address to its region twice.
 */
final class DirectRamWindow implements RamWindow {

    private final MachineCpu cpu;
    private final long physical;
    private final long length;
    /** The window's bytes of the region's memory. */
    private final MemorySegment memory;

    DirectRamWindow(MachineCpu cpu, long physical, MemorySegment memory) {
        this.cpu = cpu;
        this.physical = physical;
        this.length = memory.byteSize();
        this.memory = memory;
    }

    /** Whether this access may skip the CPU's way. */
    private boolean direct() {
        return cpu.directWithoutBusWait();
    }

    private long at(long offset, long n) {
        RamWindow.checkAccess(offset, n, length, physical);
        return physical + offset;
    }

    @Override public long physical() { return physical; }
    @Override public long length() { return length; }

    @Override
    public int read8(long o) {
        return direct() ? (int) DirectRam.load(memory, o, 1) : cpu.read8(at(o, 1));
    }

    @Override
    public int read16(long o) {
        return direct() ? (int) DirectRam.load(memory, o, 2) : cpu.read16(at(o, 2));
    }

    @Override
    public int read32(long o) {
        return direct() ? (int) DirectRam.load(memory, o, 4) : cpu.read32(at(o, 4));
    }

    @Override
    public long read64(long o) {
        return direct() ? DirectRam.load(memory, o, 8) : cpu.read64(at(o, 8));
    }

    @Override
    public void write8(long o, int v) {
        if (direct()) {
            DirectRam.store(memory, o, 1, v);
        } else {
            cpu.write8(at(o, 1), v);
        }
    }

    @Override
    public void write16(long o, int v) {
        if (direct()) {
            DirectRam.store(memory, o, 2, v);
        } else {
            cpu.write16(at(o, 2), v);
        }
    }

    @Override
    public void write32(long o, int v) {
        if (direct()) {
            DirectRam.store(memory, o, 4, v);
        } else {
            cpu.write32(at(o, 4), v);
        }
    }

    @Override
    public void write64(long o, long v) {
        if (direct()) {
            DirectRam.store(memory, o, 8, v);
        } else {
            cpu.write64(at(o, 8), v);
        }
    }

    @Override
    public int read8Acquire(long o) {
        return direct() ? DirectRam.load8Acquire(memory, o) : cpu.read8Acquire(at(o, 1));
    }

    @Override
    public int read32Acquire(long o) {
        return direct() ? DirectRam.load32Acquire(memory, o) : cpu.read32Acquire(at(o, 4));
    }

    @Override
    public long read64Acquire(long o) {
        return direct() ? DirectRam.load64Acquire(memory, o) : cpu.read64Acquire(at(o, 8));
    }

    @Override
    public void write32Release(long o, int v) {
        if (direct()) {
            DirectRam.store32Release(memory, o, v);
        } else {
            cpu.write32Release(at(o, 4), v);
        }
    }

    @Override
    public void write64Release(long o, long v) {
        if (direct()) {
            DirectRam.store64Release(memory, o, v);
        } else {
            cpu.write64Release(at(o, 8), v);
        }
    }

    @Override
    public void read(long o, MemorySegment dst, long dstOffset, long n) {
        if (direct()) {
            RamWindow.checkAccess(o, n, length, physical);
            SegmentCopy.copy(memory, o, dst, dstOffset, n);
        } else {
            cpu.read(at(o, n), dst, dstOffset, n);
        }
    }

    @Override
    public void write(long o, MemorySegment src, long srcOffset, long n) {
        if (direct()) {
            RamWindow.checkAccess(o, n, length, physical);
            SegmentCopy.copy(src, srcOffset, memory, o, n);
        } else {
            cpu.write(at(o, n), src, srcOffset, n);
        }
    }

    @Override
    public void fill(long o, long n, byte value) {
        if (direct()) {
            RamWindow.checkAccess(o, n, length, physical);
            memory.asSlice(o, n).fill(value);
        } else {
            cpu.fill(at(o, n), n, value);
        }
    }

    @Override
    public String toString() {
        return String.format("RamWindow[%#x, +%#x) on %s", physical, length, cpu);
    }
}
