package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.platform.CacheObserver;

/**
 * A coherent cache: every load and store reaches RAM directly, so maintenance operations have
 * nothing to do and device accesses need no snoop action. This is how x86 looks to a DMA driver.
 * Out-of-RAM addresses throw {@link IllegalArgumentException}; the {@code Cpu} checks before
 * calling.
 *
 * <p>Observers see every CPU read (always a hit: there is nothing to fill), CPU write, device read
 * and device write, line by line. With no observer the access paths pay one volatile read and a
 * length check. Thread-safety: loads and stores are plain or acquire/release accesses of RAM, so
 * the cache itself holds no state a device thread could race with.
 */
public final class CoherentCache implements CpuCache {

    // The machine is little-endian (x86) whatever the host is: the JAVA_* layouts use the host's
    // order, and devices (DmaPort, descriptor layouts) read guest memory as little-endian.
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final PhysicalMemory memory;
    private final int lineSize;
    private long maintenanceOps;
    private final Observers observers = new Observers();

    public CoherentCache(PhysicalMemory memory, int lineSize) {
        if (lineSize < 16 || Integer.bitCount(lineSize) != 1) {
            throw new IllegalArgumentException("cache line size must be a power of two >= 16, was " + lineSize);
        }
        this.memory = memory;
        this.lineSize = lineSize;
    }

    private RamRegion region(long phys, long len) {
        RamRegion r = memory.ramAt(phys);
        if (r == null || phys - r.base() + len > r.size()) {
            throw new IllegalArgumentException(String.format("CPU access [%#x, +%d) is not inside one RAM region", phys, len));
        }
        return r;
    }

    @Override public boolean coherent() { return true; }

    @Override public int lineSize() { return lineSize; }

    /** Number of clean/invalidate calls seen (each is a no-op here, but drivers can be checked for them). */
    public long maintenanceOps() { return maintenanceOps; }

    @Override public byte loadByte(long p) { RamRegion r = region(p, 1); reportRead(p, 1); return r.memory().get(ValueLayout.JAVA_BYTE, p - r.base()); }
    @Override public short loadShort(long p) { RamRegion r = region(p, 2); reportRead(p, 2); return r.memory().get(SHORT, p - r.base()); }
    @Override public int loadInt(long p) { RamRegion r = region(p, 4); reportRead(p, 4); return r.memory().get(INT, p - r.base()); }
    @Override public long loadLong(long p) { RamRegion r = region(p, 8); reportRead(p, 8); return r.memory().get(LONG, p - r.base()); }
    @Override public void storeByte(long p, byte v) { RamRegion r = region(p, 1); r.memory().set(ValueLayout.JAVA_BYTE, p - r.base(), v); reportWrite(p, 1); }
    @Override public void storeShort(long p, short v) { RamRegion r = region(p, 2); r.memory().set(SHORT, p - r.base(), v); reportWrite(p, 2); }
    @Override public void storeInt(long p, int v) { RamRegion r = region(p, 4); r.memory().set(INT, p - r.base(), v); reportWrite(p, 4); }
    @Override public void storeLong(long p, long v) { RamRegion r = region(p, 8); r.memory().set(LONG, p - r.base(), v); reportWrite(p, 8); }

    @Override
    public byte loadByteAcquire(long p) {
        RamRegion r = region(p, 1);
        reportRead(p, 1);
        return (byte) BYTE_ATOMIC.getAcquire(r.memory(), p - r.base());
    }

    @Override
    public int loadIntAcquire(long p) {
        RamRegion r = region(p, 4);
        reportRead(p, 4);
        return (int) INT_ATOMIC.getAcquire(r.memory(), p - r.base());
    }

    @Override
    public long loadLongAcquire(long p) {
        RamRegion r = region(p, 8);
        reportRead(p, 8);
        return (long) LONG_ATOMIC.getAcquire(r.memory(), p - r.base());
    }

    @Override
    public void storeIntRelease(long p, int v) {
        RamRegion r = region(p, 4);
        INT_ATOMIC.setRelease(r.memory(), p - r.base(), v);
        reportWrite(p, 4);
    }

    @Override
    public void storeLongRelease(long p, long v) {
        RamRegion r = region(p, 8);
        LONG_ATOMIC.setRelease(r.memory(), p - r.base(), v);
        reportWrite(p, 8);
    }

    @Override
    public void load(long p, MemorySegment dst, long off, long len) {
        RamRegion r = region(p, len);
        reportRead(p, len);
        MemorySegment.copy(r.memory(), p - r.base(), dst, off, len);
    }

    @Override
    public void store(long p, MemorySegment src, long off, long len) {
        RamRegion r = region(p, len);
        MemorySegment.copy(src, off, r.memory(), p - r.base(), len);
        reportWrite(p, len);
    }

    @Override
    public void fill(long p, long len, byte value) {
        RamRegion r = region(p, len);
        r.memory().asSlice(p - r.base(), len).fill(value);
        reportWrite(p, len);
    }

    @Override public void clean(long p, long len) { maintenanceOps++; }
    @Override public void invalidate(long p, long len) { maintenanceOps++; }
    @Override public void cleanInvalidate(long p, long len) { maintenanceOps++; }

    @Override
    public void snoopDeviceRead(long p, long len) {
        observers.onDeviceRead(p, len, lineSize);
    }

    @Override
    public void snoopDeviceWrite(long p, long len) {
        observers.onDeviceWrite(p, len, lineSize);
    }

    @Override public void addObserver(CacheObserver observer) { observers.add(observer); }

    @Override public void removeObserver(CacheObserver observer) { observers.remove(observer); }

    private void reportRead(long p, long len) {
        observers.onCpuReadHit(p, len, lineSize);
    }

    private void reportWrite(long p, long len) {
        observers.onCpuWrite(p, len, lineSize);
    }
}
