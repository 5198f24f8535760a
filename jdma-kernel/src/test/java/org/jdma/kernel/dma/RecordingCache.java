package org.jdma.kernel.dma;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.cache.MemoryType;

/**
 * A CpuCache that records every maintenance operation and says whether it is coherent as told;
 * data accesses and the operations themselves go to the real cache.
 */
final class RecordingCache implements CpuCache {

    private final CpuCache real;
    private final boolean coherent;
    private final List<String> ops = new ArrayList<>();

    RecordingCache(CpuCache real, boolean coherent) {
        this.real = real;
        this.coherent = coherent;
    }

    synchronized List<String> ops() { return List.copyOf(ops); }

    synchronized void clear() { ops.clear(); }

    private synchronized void record(String op, long phys, long length) {
        ops.add(String.format("%s %#x+%d", op, phys, length));
    }

    @Override public boolean coherent() { return coherent; }
    @Override public int lineSize() { return real.lineSize(); }
    @Override public byte loadByte(long phys) { return real.loadByte(phys); }
    @Override public short loadShort(long phys) { return real.loadShort(phys); }
    @Override public int loadInt(long phys) { return real.loadInt(phys); }
    @Override public long loadLong(long phys) { return real.loadLong(phys); }
    @Override public void storeByte(long phys, byte value) { real.storeByte(phys, value); }
    @Override public void storeShort(long phys, short value) { real.storeShort(phys, value); }
    @Override public void storeInt(long phys, int value) { real.storeInt(phys, value); }
    @Override public void storeLong(long phys, long value) { real.storeLong(phys, value); }
    @Override public int loadIntAcquire(long phys) { return real.loadIntAcquire(phys); }
    @Override public long loadLongAcquire(long phys) { return real.loadLongAcquire(phys); }
    @Override public void storeIntRelease(long phys, int value) { real.storeIntRelease(phys, value); }
    @Override public void storeLongRelease(long phys, long value) { real.storeLongRelease(phys, value); }
    @Override public void load(long phys, MemorySegment dst, long dstOffset, long length) { real.load(phys, dst, dstOffset, length); }
    @Override public void store(long phys, MemorySegment src, long srcOffset, long length) { real.store(phys, src, srcOffset, length); }
    @Override public void fill(long phys, long length, byte value) { real.fill(phys, length, value); }
    @Override public void snoopDeviceRead(long phys, long length) { real.snoopDeviceRead(phys, length); }
    @Override public void snoopDeviceWrite(long phys, long length) { real.snoopDeviceWrite(phys, length); }

    @Override
    public void clean(long phys, long length) {
        record("clean", phys, length);
        real.clean(phys, length);
    }

    @Override
    public void invalidate(long phys, long length) {
        record("invalidate", phys, length);
        real.invalidate(phys, length);
    }

    @Override
    public void cleanInvalidate(long phys, long length) {
        record("cleanInvalidate", phys, length);
        real.cleanInvalidate(phys, length);
    }

    @Override
    public void memoryType(long phys, long length, MemoryType type) {
        record(type.name(), phys, length);
        real.memoryType(phys, length, type);
    }
}
