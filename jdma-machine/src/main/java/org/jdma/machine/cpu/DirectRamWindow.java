package org.jdma.machine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jdma.machine.cache.CoherentCache;
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

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final MachineCpu cpu;
    private final MachineCpus cpus;
    /** The machine's cache when it is the coherent one, else null (every access goes the CPU's way). */
    private final CoherentCache coherent;
    private final long physical;
    private final long length;
    /** The window's bytes of the region's memory. */
    private final MemorySegment memory;

    DirectRamWindow(MachineCpu cpu, MachineCpus cpus, CoherentCache coherent, long physical, MemorySegment memory) {
        this.cpu = cpu;
        this.cpus = cpus;
        this.coherent = coherent;
        this.physical = physical;
        this.length = memory.byteSize();
        this.memory = memory;
    }

    /** Whether this access may skip the CPU's way. */
    private boolean direct() {
        return coherent != null && cpus.memoryBusGate == null && coherent.unwatched();
    }

    private long at(long offset, long n) {
        RamWindow.checkAccess(offset, n, length, physical);
        return physical + offset;
    }

    @Override public long physical() { return physical; }
    @Override public long length() { return length; }

    @Override
    public int read8(long o) {
        return direct() ? memory.get(ValueLayout.JAVA_BYTE, o) & 0xFF : cpu.read8(at(o, 1));
    }

    @Override
    public int read16(long o) {
        return direct() ? memory.get(SHORT, o) & 0xFFFF : cpu.read16(at(o, 2));
    }

    @Override
    public int read32(long o) {
        return direct() ? memory.get(INT, o) : cpu.read32(at(o, 4));
    }

    @Override
    public long read64(long o) {
        return direct() ? memory.get(LONG, o) : cpu.read64(at(o, 8));
    }

    @Override
    public void write8(long o, int v) {
        if (direct()) {
            memory.set(ValueLayout.JAVA_BYTE, o, (byte) v);
        } else {
            cpu.write8(at(o, 1), v);
        }
    }

    @Override
    public void write16(long o, int v) {
        if (direct()) {
            memory.set(SHORT, o, (short) v);
        } else {
            cpu.write16(at(o, 2), v);
        }
    }

    @Override
    public void write32(long o, int v) {
        if (direct()) {
            memory.set(INT, o, v);
        } else {
            cpu.write32(at(o, 4), v);
        }
    }

    @Override
    public void write64(long o, long v) {
        if (direct()) {
            memory.set(LONG, o, v);
        } else {
            cpu.write64(at(o, 8), v);
        }
    }

    @Override
    public int read8Acquire(long o) {
        return direct() ? (byte) BYTE_ATOMIC.getAcquire(memory, o) & 0xFF : cpu.read8Acquire(at(o, 1));
    }

    @Override
    public int read32Acquire(long o) {
        return direct() ? (int) INT_ATOMIC.getAcquire(memory, o) : cpu.read32Acquire(at(o, 4));
    }

    @Override
    public long read64Acquire(long o) {
        return direct() ? (long) LONG_ATOMIC.getAcquire(memory, o) : cpu.read64Acquire(at(o, 8));
    }

    @Override
    public void write32Release(long o, int v) {
        if (direct()) {
            INT_ATOMIC.setRelease(memory, o, v);
        } else {
            cpu.write32Release(at(o, 4), v);
        }
    }

    @Override
    public void write64Release(long o, long v) {
        if (direct()) {
            LONG_ATOMIC.setRelease(memory, o, v);
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
