package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import org.jdma.platform.CacheMaintenance;

/**
 * The CPU's data cache in front of RAM, as the machine models it: the maintenance an OS sees
 * ({@link CacheMaintenance}) plus the loads and stores the CPU makes through it and the snoop hooks
 * the bus calls. Addresses are physical; callers (the {@code Cpu}) have
 * already checked that the range is RAM.
 *
 * <p>Ordering: plain loads and stores are for data. {@code storeIntRelease}/{@code loadIntAcquire}
 * (and the long forms) are for words that another agent polls (ring indices, completion status)
 * when devices run on their own threads.
 */
public interface CpuCache extends CacheMaintenance {

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

    /**
     * Called by the CPU before an access that is uncached by nature, MMIO or port I/O: like an
     * uncached RAM access it drains the write-combining buffers (Intel SDM Vol. 3A §12.3), so a
     * doorbell write reaches the device after the stores made before it.
     */
    void uncachedAccess();

    /** What the write-combining buffers did (stores taken, flushes by cause). */
    WriteCombiningStats writeCombining();

    /**
     * Called by the bus before a device reads [phys, phys + length) of RAM. Never drains the
     * write-combining buffers: they are not snooped.
     */
    void snoopDeviceRead(long phys, long length);

    /** Called by the bus after a device wrote [phys, phys + length) of RAM. */
    void snoopDeviceWrite(long phys, long length);
}
