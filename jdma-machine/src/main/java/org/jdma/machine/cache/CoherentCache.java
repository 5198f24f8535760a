package org.jdma.machine.cache;

import static org.jdma.machine.cache.DirectRam.BYTE_ATOMIC;
import static org.jdma.machine.cache.DirectRam.INT;
import static org.jdma.machine.cache.DirectRam.INT_ATOMIC;
import static org.jdma.machine.cache.DirectRam.LONG;
import static org.jdma.machine.cache.DirectRam.LONG_ATOMIC;
import static org.jdma.machine.cache.DirectRam.SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.platform.CacheObserver;
import org.jdma.platform.MemoryType;

/**
 * A coherent cache: every load and store reaches RAM directly, so maintenance operations have
 * nothing to do and device accesses need no snoop action. This is how x86 looks to a DMA driver.
 * Out-of-RAM addresses throw {@link IllegalArgumentException}; the {@code Cpu} checks before
 * calling.
 *
 * <p>Memory types: snooping covers the cache, not the write-combining buffers (Intel SDM Vol. 3A
 * §12.3.1: the WC buffer is not snooped). Stores to {@link MemoryType#WRITE_COMBINING} ranges wait
 * in the {@link WriteCombiningBuffers} until a buffer fills or is evicted, or a
 * {@link #writeBarrier}, a release store or an uncached access drains them, so a device reads
 * memory without them until then, here as on the non-coherent machine. {@link MemoryType#UNCACHED}
 * changes nothing a device can see, except that such an access drains the buffers. While no range
 * has a type, the access paths pay one field check for all this.
 *
 * <p>Observers see every CPU read (a hit: there is nothing to fill; a miss in a typed range, read
 * from memory), CPU write, device read and device write, line by line, and each write-combining
 * flush. With no observer the access paths pay one volatile read and a length check.
 * Thread-safety: loads and stores are plain or acquire/release accesses of RAM; the memory types
 * and the write-combining buffers are touched only by the CPU thread (device threads call only
 * the snoop hooks), so the cache holds no state a device thread could race with.
 */
public final class CoherentCache implements CpuCache {

    private final PhysicalMemory memory;
    private final int lineSize;
    private long maintenanceOps;
    private final Observers observers = new Observers();
    private final MemoryTypeRanges types = new MemoryTypeRanges();
    private final BypassAccess bypass;
    /** Whether any range has a type other than write-back: the one check the access paths pay. */
    private boolean typed;
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[Long.BYTES]);

    /** A coherent cache with {@value CacheConfig#DEFAULT_WRITE_COMBINING_BUFFERS} write-combining buffers. */
    public CoherentCache(PhysicalMemory memory, int lineSize) {
        this(memory, lineSize, CacheConfig.DEFAULT_WRITE_COMBINING_BUFFERS);
    }

    public CoherentCache(PhysicalMemory memory, int lineSize, int writeCombiningBuffers) {
        if (lineSize < 16 || Integer.bitCount(lineSize) != 1) {
            throw new IllegalArgumentException("cache line size must be a power of two >= 16, was " + lineSize);
        }
        this.memory = memory;
        this.lineSize = lineSize;
        this.bypass = new BypassAccess(memory, observers, lineSize, writeCombiningBuffers);
    }

    private RamRegion region(long phys, long len) {
        RamRegion r = memory.ramAt(phys);
        if (r == null || phys - r.base() + len > r.size()) {
            throw new IllegalArgumentException(String.format("CPU access [%#x, +%d) is not inside one RAM region", phys, len));
        }
        return r;
    }

    @Override public boolean coherent() { return true; }

    /**
     * Whether a CPU access to RAM needs nothing but the memory now: no range has a memory type
     * and nobody observes. A pre-resolved window ({@code Cpu.window}) checks this per access.
     */
    public boolean unwatched() {
        return !typed && observers.get().length == 0;
    }

    @Override public int lineSize() { return lineSize; }

    /** Number of clean/invalidate calls seen (each is a no-op here, but drivers can be checked for them). */
    public long maintenanceOps() { return maintenanceOps; }

    // Each access checks `typed` first: with a typed range, it goes the typed way (run by run).

    @Override public byte loadByte(long p) { if (typed) { return typedLoad(p, 1).get(ValueLayout.JAVA_BYTE, 0); } RamRegion r = region(p, 1); reportRead(p, 1); return r.memory().get(ValueLayout.JAVA_BYTE, p - r.base()); }
    @Override public short loadShort(long p) { if (typed) { return typedLoad(p, 2).get(SHORT, 0); } RamRegion r = region(p, 2); reportRead(p, 2); return r.memory().get(SHORT, p - r.base()); }
    @Override public int loadInt(long p) { if (typed) { return typedLoad(p, 4).get(INT, 0); } RamRegion r = region(p, 4); reportRead(p, 4); return r.memory().get(INT, p - r.base()); }
    @Override public long loadLong(long p) { if (typed) { return typedLoad(p, 8).get(LONG, 0); } RamRegion r = region(p, 8); reportRead(p, 8); return r.memory().get(LONG, p - r.base()); }
    @Override public void storeByte(long p, byte v) { if (typed) { scratch.set(ValueLayout.JAVA_BYTE, 0, v); typedStore(p, scratch, 0, 1); return; } RamRegion r = region(p, 1); r.memory().set(ValueLayout.JAVA_BYTE, p - r.base(), v); reportWrite(p, 1); }
    @Override public void storeShort(long p, short v) { if (typed) { scratch.set(SHORT, 0, v); typedStore(p, scratch, 0, 2); return; } RamRegion r = region(p, 2); r.memory().set(SHORT, p - r.base(), v); reportWrite(p, 2); }
    @Override public void storeInt(long p, int v) { if (typed) { scratch.set(INT, 0, v); typedStore(p, scratch, 0, 4); return; } RamRegion r = region(p, 4); r.memory().set(INT, p - r.base(), v); reportWrite(p, 4); }
    @Override public void storeLong(long p, long v) { if (typed) { scratch.set(LONG, 0, v); typedStore(p, scratch, 0, 8); return; } RamRegion r = region(p, 8); r.memory().set(LONG, p - r.base(), v); reportWrite(p, 8); }

    @Override
    public byte loadByteAcquire(long p) {
        RamRegion r = region(p, 1);
        MemoryType type;
        if (typed && (type = types.typeAt(p)) != MemoryType.WRITE_BACK) {
            return (byte) bypass.loadAcquire(p, type, Byte.BYTES);
        }
        reportRead(p, 1);
        return (byte) BYTE_ATOMIC.getAcquire(r.memory(), p - r.base());
    }

    @Override
    public int loadIntAcquire(long p) {
        RamRegion r = region(p, 4);
        MemoryType type;
        if (typed && (type = types.typeAt(p)) != MemoryType.WRITE_BACK) {
            return (int) bypass.loadAcquire(p, type, Integer.BYTES);
        }
        reportRead(p, 4);
        return (int) INT_ATOMIC.getAcquire(r.memory(), p - r.base());
    }

    @Override
    public long loadLongAcquire(long p) {
        RamRegion r = region(p, 8);
        MemoryType type;
        if (typed && (type = types.typeAt(p)) != MemoryType.WRITE_BACK) {
            return bypass.loadAcquire(p, type, Long.BYTES);
        }
        reportRead(p, 8);
        return (long) LONG_ATOMIC.getAcquire(r.memory(), p - r.base());
    }

    @Override
    public void storeIntRelease(long p, int v) {
        RamRegion r = region(p, 4);
        if (typed && typedRelease(p, Integer.BYTES, v)) {
            return;
        }
        INT_ATOMIC.setRelease(r.memory(), p - r.base(), v);
        reportWrite(p, 4);
    }

    @Override
    public void storeLongRelease(long p, long v) {
        RamRegion r = region(p, 8);
        if (typed && typedRelease(p, Long.BYTES, v)) {
            return;
        }
        LONG_ATOMIC.setRelease(r.memory(), p - r.base(), v);
        reportWrite(p, 8);
    }

    /**
     * A release store while some range is typed: drains the write-combining buffers (a release
     * orders every earlier store); stores the value itself when {@code p} is not write-back and
     * returns whether it did.
     */
    private boolean typedRelease(long p, int size, long v) {
        if (types.typeAt(p) != MemoryType.WRITE_BACK) {
            bypass.storeRelease(p, size, v);
            return true;
        }
        bypass.fence();
        return false;
    }

    @Override
    public void load(long p, MemorySegment dst, long off, long len) {
        RamRegion r = region(p, len);
        if (typed) {
            typedLoad(p, dst, off, len);
            return;
        }
        reportRead(p, len);
        SegmentCopy.copy(r.memory(), p - r.base(), dst, off, len);
    }

    @Override
    public void store(long p, MemorySegment src, long off, long len) {
        RamRegion r = region(p, len);
        if (typed) {
            typedStore(p, src, off, len);
            return;
        }
        SegmentCopy.copy(src, off, r.memory(), p - r.base(), len);
        reportWrite(p, len);
    }

    @Override
    public void fill(long p, long len, byte value) {
        RamRegion r = region(p, len);
        if (typed) {
            walkTyped(p, len, (a, type, done, n) -> {
                if (type == MemoryType.WRITE_BACK) {
                    RamRegion ra = memory.ramAt(a);
                    ra.memory().asSlice(a - ra.base(), n).fill(value);
                    reportWrite(a, n);
                } else {
                    bypass.fill(a, type, n, value);
                }
            });
            return;
        }
        r.memory().asSlice(p - r.base(), len).fill(value);
        reportWrite(p, len);
    }

    // ---- typed ranges: run by run of one type; non-write-back runs line by line ----------------

    /** One piece of a typed access: {@code n} bytes at {@code a} of type {@code type}, {@code done} bytes in. */
    private interface Piece {
        void move(long a, MemoryType type, long done, long n);
    }

    private void walkTyped(long p, long len, Piece piece) {
        long done = 0;
        while (done < len) {
            long a = p + done;
            MemoryType type = types.typeAt(a);
            long n = Math.min(len - done, types.runEnd(a) - a);
            if (type != MemoryType.WRITE_BACK) {
                n = Math.min(n, lineSize - (a & (lineSize - 1)));
            }
            piece.move(a, type, done, n);
            done += n;
        }
    }

    private MemorySegment typedLoad(long p, int size) {
        region(p, size);
        typedLoad(p, scratch, 0, size);
        return scratch;
    }

    private void typedLoad(long p, MemorySegment dst, long off, long len) {
        walkTyped(p, len, (a, type, done, n) -> {
            if (type == MemoryType.WRITE_BACK) {
                RamRegion r = memory.ramAt(a);
                reportRead(a, n);
                SegmentCopy.copy(r.memory(), a - r.base(), dst, off + done, n);
            } else {
                bypass.load(a, type, dst, off + done, n);
            }
        });
    }

    private void typedStore(long p, MemorySegment src, long off, long len) {
        region(p, len);
        walkTyped(p, len, (a, type, done, n) -> {
            if (type == MemoryType.WRITE_BACK) {
                RamRegion r = memory.ramAt(a);
                SegmentCopy.copy(src, off + done, r.memory(), a - r.base(), n);
                reportWrite(a, n);
            } else {
                bypass.store(a, type, src, off + done, n);
            }
        });
    }

    // ---- memory types and write-combining buffers -------------------------------------------------

    /** Sets the type of the whole lines [p, p + len) touches; drains the write-combining buffers first. */
    @Override
    public void memoryType(long p, long len, MemoryType type) {
        WriteBackCache.checkLength(p, len);
        Objects.requireNonNull(type, "type");
        if (len == 0) {
            return;
        }
        long mask = lineSize - 1L;
        bypass.serialize();
        types.set(p & ~mask, (p + len + mask) & ~mask, type);
        typed = !types.isEmpty();
    }

    @Override
    public MemoryType memoryTypeAt(long phys) {
        return types.typeAt(phys);
    }

    @Override public void writeBarrier() { bypass.fence(); VarHandle.fullFence(); }

    @Override public void uncachedAccess() { bypass.serialize(); }

    @Override public WriteCombiningStats writeCombining() { return bypass.wc.stats(); }

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
