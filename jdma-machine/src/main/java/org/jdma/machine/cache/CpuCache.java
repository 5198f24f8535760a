package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The CPU's data cache in front of RAM. Addresses are physical; callers (the {@code Cpu}) have
 * already checked that the range is RAM.
 *
 * <p>Ordering: plain loads and stores are for data. {@code storeIntRelease}/{@code loadIntAcquire}
 * (and the long forms) are for words that another agent polls (ring indices, completion status)
 * when devices run on their own threads.
 */
public interface CpuCache {

    /** True when device accesses snoop this cache (x86); false when software must maintain it (arm64). */
    boolean coherent();

    /** Cache line size in bytes (a power of two). */
    int lineSize();

    byte loadByte(long phys);

    short loadShort(long phys);

    int loadInt(long phys);

    long loadLong(long phys);

    void storeByte(long phys, byte value);

    void storeShort(long phys, short value);

    void storeInt(long phys, int value);

    void storeLong(long phys, long value);

    int loadIntAcquire(long phys);

    /**
     * A byte load with acquire ordering, for status bytes a device publishes with a release byte
     * store (a completion record's status). Implementations backed by memory segments should
     * override this with a real acquire access; the default is a plain load followed by an acquire
     * fence, which orders the same way.
     */
    default byte loadByteAcquire(long phys) {
        byte b = loadByte(phys);
        VarHandle.acquireFence();
        return b;
    }

    long loadLongAcquire(long phys);

    void storeIntRelease(long phys, int value);

    void storeLongRelease(long phys, long value);

    /** Copies {@code length} bytes of RAM at {@code phys} into {@code dst} at {@code dstOffset}. */
    void load(long phys, MemorySegment dst, long dstOffset, long length);

    /** Copies {@code length} bytes from {@code src} at {@code srcOffset} into RAM at {@code phys}. */
    void store(long phys, MemorySegment src, long srcOffset, long length);

    /** Stores {@code value} into every byte of [phys, phys + length). */
    void fill(long phys, long length, byte value);

    /** Writes dirty lines of the range back to RAM; lines stay valid. */
    void clean(long phys, long length);

    /** Drops the range's lines without writing them back. */
    void invalidate(long phys, long length);

    /** Writes back, then drops, the range's lines. */
    void cleanInvalidate(long phys, long length);

    /** Called by the bus before a device reads [phys, phys + length) of RAM. */
    void snoopDeviceRead(long phys, long length);

    /** Called by the bus after a device wrote [phys, phys + length) of RAM. */
    void snoopDeviceWrite(long phys, long length);

    /**
     * Sets the memory type of [phys, phys + length) (whole lines). Making a range UNCACHED first
     * cleans and invalidates its lines. A coherent cache accepts and ignores it: uncached and
     * cached accesses look the same there.
     */
    default void memoryType(long phys, long length, MemoryType type) { }

    /**
     * The memory type CPU accesses to {@code phys} use, as set by {@link #memoryType}. A coherent
     * cache answers WRITE_BACK everywhere (it ignores the setting).
     */
    default MemoryType memoryTypeAt(long phys) { return MemoryType.WRITE_BACK; }

    /** Adds an observer (debug tools). */
    default void addObserver(CacheObserver observer) { }

    default void removeObserver(CacheObserver observer) { }
}
