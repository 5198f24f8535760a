package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.platform.CacheObserver;
import org.jdma.platform.MemoryType;

/**
 * A non-coherent, write-back, write-allocate CPU data cache (arm64-like). Device DMA goes to RAM
 * and never looks at or changes this cache, so software must keep them in step:
 * <ul>
 *   <li>a device reads RAM, not the CPU's dirty lines: without a {@link #clean} before the device
 *       reads, it sees old data;</li>
 *   <li>the CPU reads its lines, not RAM: without an {@link #invalidate} after the device wrote,
 *       the CPU reads stale data;</li>
 *   <li>a dirty line evicted while a device owns the memory is written back whole, on top of what
 *       the device wrote (data lost to a dirty eviction);</li>
 *   <li>the optional speculative-prefetch injector refills absent lines of recently touched pages
 *       at random moments, so a line invalidated before the DMA may hold old data again after it:
 *       the reason arm64 invalidates after DMA as well as before.</li>
 * </ul>
 *
 * <p>Geometry: {@code sets = capacity / (lineSize * ways)} sets of {@code ways} lines, LRU within
 * a set. Bulk accesses still act line by line (each line is one access for LRU, counters,
 * observers and the injector) but move bytes in runs of contiguous lines. Maintenance by range
 * always acts on whole lines: invalidating a range that shares a line with other data drops that
 * data's dirty bytes too.
 *
 * <p>Memory types: ranges made {@link MemoryType#UNCACHED} are cleaned and invalidated first;
 * CPU accesses to them then go straight to RAM and never allocate a line (arm64 Normal-NC, how
 * coherent DMA buffers are mapped on a non-coherent machine). The speculative injector never
 * refills them either.
 *
 * <p>Observers: {@code cpuRead(line, hit)} and {@code cpuWrite(line)} per line a CPU access
 * touches (an uncached read reports a miss: the data came from memory); {@code deviceRead} /
 * {@code deviceWrite} per line from the snoop hooks; {@code dirtyEviction} when a dirty victim is
 * written back; {@code cleaned} and {@code invalidated(line, wasDirty)} for <em>every</em> line a
 * maintenance range touches, present or not, because a checker tracks what software did, not
 * only what the cache happened to hold (a clean+invalidate reports {@code cleaned} then
 * {@code invalidated(line, false)}: dirty data was written back, not discarded);
 * {@code speculativeRefill} for each injected refill. The counters, by contrast, count what the
 * cache did: lines written back by a clean, valid lines dropped by an invalidate.
 *
 * <p>Threads and ordering. There is one CPU: every CPU access and maintenance operation must come
 * from the thread that drives the CPU, and only that thread changes the cache's state, so there
 * is no lock. Device threads (the copy engine's threaded mode) call only the snoop hooks, which
 * touch no cache state, only the observer array (published by a volatile write). For polled
 * words the acquire/release accesses go through the cache like plain ones, so a missing sync is
 * just as visible; they add the ordering a device thread needs:
 * <ul>
 *   <li>every write-back to RAM (clean, dirty eviction) is preceded by a release fence, so RAM
 *       receives write-backs in the order the CPU performs them: a device that acquires a
 *       published index after it was cleaned sees the descriptors cleaned before it;</li>
 *   <li>an acquire load that misses first reads the word from RAM with acquire semantics, then
 *       fills the line and keeps that value in it: everything the device released before that
 *       word is in the filled line and in later fills; a hit returns the line's (possibly stale)
 *       value followed by an acquire fence, as a real cached poll would;</li>
 *   <li>a release store is a release fence, then a store into the line (the device sees it once
 *       the line is cleaned or evicted).</li>
 * </ul>
 * On a coherent machine none of this applies ({@link CoherentCache}); benchmarks run the threaded
 * copy engine only there.
 *
 * <p>Invariant: a line's copy differs from RAM only if the line is dirty or RAM was written by a
 * device after the line was filled; RAM changes only by device writes, write-backs of dirty lines
 * (clean, eviction) and uncached CPU stores.
 */
public final class WriteBackCache implements CpuCache {

    /** Page granularity of the speculative injector's "recently touched" window. */
    public static final int PAGE_SIZE = 4096;

    /** How many distinct recently touched pages the speculative injector chooses from. */
    public static final int RECENT_PAGES = 4;

    private static final long INVALID = -1L;

    // Guest memory is little-endian (see CoherentCache).
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final PhysicalMemory memory;
    private final int lineSize;
    private final long lineMask;
    private final int lineShift;
    private final int ways;
    private final int setMask;
    private final int slots;

    // Per slot (way * sets + set, so the same way of consecutive sets is contiguous in data):
    // the line address held (INVALID when empty), dirty bit, LRU stamp.
    private final long[] tags;
    private final boolean[] dirty;
    private final long[] lastUse;
    private final MemorySegment data;
    private long useClock;

    private final double refillRate;
    private final SplittableRandom random;
    private final long[] recentPages = new long[RECENT_PAGES];
    private int recentCount;
    private int recentNext;

    /** UNCACHED ranges as disjoint, non-adjacent [start, end) line-aligned intervals: start to end. */
    private final TreeMap<Long, Long> uncached = new TreeMap<>();

    private final Observers observers = new Observers();
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[Long.BYTES]);

    private long hits;
    private long misses;
    private long evictions;
    private long dirtyEvictions;
    private long cleans;
    private long invalidates;
    private long refills;
    private long maintenanceOps;

    /**
     * @param memory the machine's RAM; every RAM region must start and end on a line boundary
     * @param config a non-coherent configuration (geometry and speculative refill rate)
     * @param random the injector's random source, drawn from only when the refill rate is not 0;
     *               the machine passes a split of its one seeded source, so runs are reproducible
     */
    public WriteBackCache(PhysicalMemory memory, CacheConfig config, SplittableRandom random) {
        this.memory = Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
        if (config.coherent()) {
            throw new IllegalArgumentException("a write-back cache needs a non-coherent CacheConfig, got " + config);
        }
        if (config.capacity() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cache capacity " + config.capacity() + " is larger than 2 GiB");
        }
        this.lineSize = config.lineSize();
        this.lineMask = lineSize - 1L;
        this.lineShift = Integer.numberOfTrailingZeros(lineSize);
        this.ways = config.ways();
        int sets = (int) (config.capacity() / ((long) lineSize * ways));
        this.setMask = sets - 1;
        this.slots = sets * ways;
        this.tags = new long[slots];
        Arrays.fill(tags, INVALID);
        this.dirty = new boolean[slots];
        this.lastUse = new long[slots];
        this.data = MemorySegment.ofArray(new byte[(int) config.capacity()]);
        this.refillRate = config.speculativeRefillRate();
        for (RamRegion r : memory.ramRegions()) {
            if ((r.base() & lineMask) != 0 || (r.size() & lineMask) != 0) {
                throw new IllegalArgumentException(String.format(
                        "RAM region %s [%#x, +%#x) is not aligned to the %d-byte cache line", r.name(), r.base(), r.size(), lineSize));
            }
        }
    }

    @Override public boolean coherent() { return false; }

    @Override public int lineSize() { return lineSize; }

    public int ways() { return ways; }

    public int sets() { return setMask + 1; }

    /** CPU line accesses that found their line. */
    public long hits() { return hits; }

    /** CPU line accesses that had to allocate a line (filled from RAM, or not, for a whole-line write). */
    public long misses() { return misses; }

    /** Valid lines replaced to make room (clean or dirty). */
    public long evictions() { return evictions; }

    /** Evicted lines that were dirty and so were written back on top of RAM. */
    public long dirtyEvictions() { return dirtyEvictions; }

    /** Dirty lines written back by clean or clean+invalidate. */
    public long cleans() { return cleans; }

    /** Valid lines dropped by invalidate or clean+invalidate. */
    public long invalidates() { return invalidates; }

    /** Lines refilled by the speculative-prefetch injector. */
    public long refills() { return refills; }

    /** Number of clean / invalidate / clean+invalidate calls. */
    public long maintenanceOps() { return maintenanceOps; }

    /** True when the line holding {@code phys} is in the cache (for tests and tools; changes nothing). */
    public boolean isPresent(long phys) {
        return lookup(phys & ~lineMask) >= 0;
    }

    /** True when the line holding {@code phys} is in the cache and dirty. */
    public boolean isDirty(long phys) {
        int slot = lookup(phys & ~lineMask);
        return slot >= 0 && dirty[slot];
    }

    // ---- scalar accesses -------------------------------------------------------------------

    @Override
    public byte loadByte(long p) {
        if (isUncached(p)) {
            readUncached(p, 1);
            RamRegion r = memory.ramAt(p);
            byte v = r.memory().get(ValueLayout.JAVA_BYTE, p - r.base());
            afterAccess(p);
            return v;
        }
        int off = (int) (p & lineMask);
        int slot = access(p - off, false, true);
        byte v = data.get(ValueLayout.JAVA_BYTE, slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public short loadShort(long p) {
        int off = (int) (p & lineMask);
        if (off + Short.BYTES > lineSize || isUncached(p)) {
            load(p, scratch, 0, Short.BYTES);
            return scratch.get(SHORT, 0);
        }
        int slot = access(p - off, false, true);
        short v = data.get(SHORT, slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public int loadInt(long p) {
        int off = (int) (p & lineMask);
        if (off + Integer.BYTES > lineSize || isUncached(p)) {
            load(p, scratch, 0, Integer.BYTES);
            return scratch.get(INT, 0);
        }
        int slot = access(p - off, false, true);
        int v = data.get(INT, slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public long loadLong(long p) {
        int off = (int) (p & lineMask);
        if (off + Long.BYTES > lineSize || isUncached(p)) {
            load(p, scratch, 0, Long.BYTES);
            return scratch.get(LONG, 0);
        }
        int slot = access(p - off, false, true);
        long v = data.get(LONG, slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public void storeByte(long p, byte v) {
        if (isUncached(p)) {
            RamRegion r = memory.ramAt(p);
            r.memory().set(ValueLayout.JAVA_BYTE, p - r.base(), v);
            wroteUncached(p, 1);
            afterAccess(p);
            return;
        }
        int off = (int) (p & lineMask);
        int slot = access(p - off, true, true);
        data.set(ValueLayout.JAVA_BYTE, slotOffset(slot) + off, v);
        afterAccess(p);
    }

    @Override
    public void storeShort(long p, short v) {
        int off = (int) (p & lineMask);
        if (off + Short.BYTES > lineSize || isUncached(p)) {
            scratch.set(SHORT, 0, v);
            store(p, scratch, 0, Short.BYTES);
            return;
        }
        int slot = access(p - off, true, true);
        data.set(SHORT, slotOffset(slot) + off, v);
        afterAccess(p);
    }

    @Override
    public void storeInt(long p, int v) {
        int off = (int) (p & lineMask);
        if (off + Integer.BYTES > lineSize || isUncached(p)) {
            scratch.set(INT, 0, v);
            store(p, scratch, 0, Integer.BYTES);
            return;
        }
        int slot = access(p - off, true, true);
        data.set(INT, slotOffset(slot) + off, v);
        afterAccess(p);
    }

    @Override
    public void storeLong(long p, long v) {
        int off = (int) (p & lineMask);
        if (off + Long.BYTES > lineSize || isUncached(p)) {
            scratch.set(LONG, 0, v);
            store(p, scratch, 0, Long.BYTES);
            return;
        }
        int slot = access(p - off, true, true);
        data.set(LONG, slotOffset(slot) + off, v);
        afterAccess(p);
    }

    // ---- acquire / release (see the class comment for the ordering story) ------------------

    @Override
    public byte loadByteAcquire(long p) {
        return (byte) loadAcquire(p, Byte.BYTES, BYTE_ATOMIC);
    }

    @Override
    public int loadIntAcquire(long p) {
        return (int) loadAcquire(p, Integer.BYTES, INT_ATOMIC);
    }

    @Override
    public long loadLongAcquire(long p) {
        return loadAcquire(p, Long.BYTES, LONG_ATOMIC);
    }

    private long loadAcquire(long p, int size, VarHandle atomic) {
        if (isUncached(p)) {
            RamRegion r = memory.ramAt(p);
            readUncached(p, size);
            long v = acquireFromRam(atomic, r.memory(), p - r.base());
            afterAccess(p);
            return v;
        }
        if ((p & (size - 1)) != 0) {
            throw new IllegalArgumentException(String.format("acquire load of %d bytes at %#x is not naturally aligned", size, p));
        }
        int off = (int) (p & lineMask);
        long line = p - off;
        int slot = lookup(line);
        if (slot >= 0) {
            hit(slot, line);
            long v = get(size, slotOffset(slot) + off);
            VarHandle.acquireFence();
            afterAccess(p);
            return v;
        }
        // Acquire the word first, so the fill that follows sees everything released before it.
        RamRegion r = memory.ramAt(p);
        long v = acquireFromRam(atomic, r.memory(), p - r.base());
        slot = access(line, false, true);
        put(size, slotOffset(slot) + off, v); // the line agrees with the value returned
        afterAccess(p);
        return v;
    }

    private static long acquireFromRam(VarHandle atomic, MemorySegment seg, long offset) {
        if (atomic == BYTE_ATOMIC) {
            return (byte) atomic.getAcquire(seg, offset);
        }
        if (atomic == INT_ATOMIC) {
            return (int) atomic.getAcquire(seg, offset);
        }
        return (long) atomic.getAcquire(seg, offset);
    }

    @Override
    public void storeIntRelease(long p, int v) {
        if (isUncached(p)) {
            RamRegion r = memory.ramAt(p);
            INT_ATOMIC.setRelease(r.memory(), p - r.base(), v);
            wroteUncached(p, Integer.BYTES);
            afterAccess(p);
            return;
        }
        VarHandle.releaseFence();
        storeInt(p, v);
    }

    @Override
    public void storeLongRelease(long p, long v) {
        if (isUncached(p)) {
            RamRegion r = memory.ramAt(p);
            LONG_ATOMIC.setRelease(r.memory(), p - r.base(), v);
            wroteUncached(p, Long.BYTES);
            afterAccess(p);
            return;
        }
        VarHandle.releaseFence();
        storeLong(p, v);
    }

    private long get(int size, long offset) {
        return switch (size) {
            case Byte.BYTES -> data.get(ValueLayout.JAVA_BYTE, offset);
            case Integer.BYTES -> data.get(INT, offset);
            default -> data.get(LONG, offset);
        };
    }

    private void put(int size, long offset, long v) {
        switch (size) {
            case Byte.BYTES -> data.set(ValueLayout.JAVA_BYTE, offset, (byte) v);
            case Integer.BYTES -> data.set(INT, offset, (int) v);
            default -> data.set(LONG, offset, v);
        }
    }

    // ---- bulk accesses -----------------------------------------------------------------------

    /** What a bulk access does with each piece of its range. */
    private interface Pieces {
        /** {@code n} bytes at {@code dataOffset} of the cache's lines, {@code done} bytes into the request. */
        void cached(long dataOffset, long done, long n);

        /** {@code n} bytes of uncached RAM at {@code ramOffset} of {@code ram}, {@code done} bytes into the request. */
        void uncached(MemorySegment ram, long ramOffset, long done, long n);
    }

    @Override
    public void load(long p, MemorySegment dst, long dstOffset, long length) {
        walk(p, length, false, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                MemorySegment.copy(data, dataOffset, dst, dstOffset + done, n);
            }

            @Override public void uncached(MemorySegment ram, long ramOffset, long done, long n) {
                MemorySegment.copy(ram, ramOffset, dst, dstOffset + done, n);
            }
        });
    }

    @Override
    public void store(long p, MemorySegment src, long srcOffset, long length) {
        walk(p, length, true, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                MemorySegment.copy(src, srcOffset + done, data, dataOffset, n);
            }

            @Override public void uncached(MemorySegment ram, long ramOffset, long done, long n) {
                MemorySegment.copy(src, srcOffset + done, ram, ramOffset, n);
            }
        });
    }

    @Override
    public void fill(long p, long length, byte value) {
        walk(p, length, true, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                data.asSlice(dataOffset, n).fill(value);
            }

            @Override public void uncached(MemorySegment ram, long ramOffset, long done, long n) {
                ram.asSlice(ramOffset, n).fill(value);
            }
        });
    }

    /**
     * Walks [p, p + length) line by line: each line is one CPU access (found or allocated, counted,
     * reported, then offered to the speculative injector); the bytes move in runs. Consecutive
     * lines that land in consecutive slots (way-major layout: the same way of consecutive sets)
     * are contiguous in {@link #data} and move with one copy. A run stays shorter than the number
     * of sets, so no access of the run can evict an earlier line of it; with the injector on,
     * whose refills may evict any line, every line moves before the injector runs.
     *
     * <p>A write covering a whole line does not read it from RAM first (write streaming).
     */
    private void walk(long p, long length, boolean write, Pieces pieces) {
        checkLength(p, length);
        int maxRun = refillRate == 0 ? Math.max(1, setMask) : 1;
        long done = 0;
        int runSlot = -1;
        int runLines = 0;
        long runData = 0;
        long runDone = 0;
        long runBytes = 0;
        while (done < length) {
            long a = p + done;
            long line = a & ~lineMask;
            int off = (int) (a - line);
            long n = Math.min(lineSize - off, length - done);
            if (isUncached(line)) {
                if (runLines > 0) {
                    pieces.cached(runData, runDone, runBytes);
                    runLines = 0;
                }
                RamRegion r = memory.ramAt(a);
                pieces.uncached(r.memory(), a - r.base(), done, n);
                if (write) {
                    wroteUncached(a, n);
                } else {
                    readUncached(a, n);
                }
            } else {
                int slot = access(line, write, !write || n != lineSize);
                if (runLines > 0 && slot == runSlot + runLines && runLines < maxRun) {
                    runLines++;
                    runBytes += n;
                } else {
                    if (runLines > 0) {
                        pieces.cached(runData, runDone, runBytes);
                    }
                    runSlot = slot;
                    runLines = 1;
                    runData = slotOffset(slot) + off;
                    runDone = done;
                    runBytes = n;
                }
                if (maxRun == 1) {
                    pieces.cached(runData, runDone, runBytes);
                    runLines = 0;
                }
            }
            done += n;
            afterAccess(a);
        }
        if (runLines > 0) {
            pieces.cached(runData, runDone, runBytes);
        }
    }

    private static void checkLength(long p, long length) {
        if (length < 0) {
            throw new IllegalArgumentException(String.format("negative length %d at %#x", length, p));
        }
    }

    // ---- maintenance -------------------------------------------------------------------------

    @Override
    public void clean(long p, long length) {
        checkLength(p, length);
        maintenanceOps++;
        CacheObserver[] obs = observers.get();
        if (obs.length == 0 && lineCount(p, length) > slots) {
            // A range larger than the cache: visit the slots instead of every line of the range.
            long start = p & ~lineMask;
            long end = p + length;
            for (int slot = 0; slot < slots; slot++) {
                long line = tags[slot];
                if (line != INVALID && line >= start && line < end && dirty[slot]) {
                    writeBack(slot);
                    dirty[slot] = false;
                    cleans++;
                }
            }
            return;
        }
        for (long line = p & ~lineMask, end = p + length; line < end; line += lineSize) {
            int slot = lookup(line);
            if (slot >= 0 && dirty[slot]) {
                writeBack(slot);
                dirty[slot] = false;
                cleans++;
            }
            for (CacheObserver o : obs) {
                o.cleaned(line);
            }
        }
    }

    @Override
    public void invalidate(long p, long length) {
        checkLength(p, length);
        maintenanceOps++;
        dropRange(p, length, false);
    }

    @Override
    public void cleanInvalidate(long p, long length) {
        checkLength(p, length);
        maintenanceOps++;
        dropRange(p, length, true);
    }

    private void dropRange(long p, long length, boolean writeBackFirst) {
        CacheObserver[] obs = observers.get();
        if (obs.length == 0 && lineCount(p, length) > slots) {
            long start = p & ~lineMask;
            long end = p + length;
            for (int slot = 0; slot < slots; slot++) {
                long line = tags[slot];
                if (line != INVALID && line >= start && line < end) {
                    drop(slot, writeBackFirst);
                }
            }
            return;
        }
        for (long line = p & ~lineMask, end = p + length; line < end; line += lineSize) {
            int slot = lookup(line);
            boolean wasDirty = slot >= 0 && dirty[slot] && !writeBackFirst;
            if (slot >= 0) {
                drop(slot, writeBackFirst);
            }
            for (CacheObserver o : obs) {
                if (writeBackFirst) {
                    o.cleaned(line);
                }
                o.invalidated(line, wasDirty);
            }
        }
    }

    private void drop(int slot, boolean writeBackFirst) {
        if (writeBackFirst && dirty[slot]) {
            writeBack(slot);
            cleans++;
        }
        tags[slot] = INVALID;
        dirty[slot] = false;
        invalidates++;
    }

    private long lineCount(long p, long length) {
        return length == 0 ? 0 : ((p + length - 1) >>> lineShift) - (p >>> lineShift) + 1;
    }

    // ---- snoop hooks: DMA bypasses this cache -------------------------------------------------

    /** Does nothing to the cache (the device reads RAM, not the CPU's dirty lines); tells observers. */
    @Override
    public void snoopDeviceRead(long p, long length) {
        CacheObserver[] obs = observers.get();
        if (obs.length != 0) {
            Observers.deviceRead(obs, p, length, lineSize);
        }
    }

    /** Does nothing to the cache (the CPU keeps its now stale lines); tells observers. */
    @Override
    public void snoopDeviceWrite(long p, long length) {
        CacheObserver[] obs = observers.get();
        if (obs.length != 0) {
            Observers.deviceWrite(obs, p, length, lineSize);
        }
    }

    // ---- memory types -------------------------------------------------------------------------

    @Override
    public void memoryType(long p, long length, MemoryType type) {
        checkLength(p, length);
        Objects.requireNonNull(type, "type");
        if (length == 0) {
            return;
        }
        long start = p & ~lineMask;
        long end = (p + length + lineMask) & ~lineMask;
        switch (type) {
            case UNCACHED -> {
                cleanInvalidate(start, end - start);
                addUncached(start, end);
            }
            case WRITE_BACK -> removeUncached(start, end);
        }
    }

    @Override
    public MemoryType memoryTypeAt(long phys) {
        return isUncached(phys) ? MemoryType.UNCACHED : MemoryType.WRITE_BACK;
    }

    private boolean isUncached(long p) {
        if (uncached.isEmpty()) {
            return false;
        }
        Map.Entry<Long, Long> e = uncached.floorEntry(p);
        return e != null && p < e.getValue();
    }

    private void addUncached(long start, long end) {
        Map.Entry<Long, Long> before = uncached.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Long, Long> next;
        while ((next = uncached.ceilingEntry(start)) != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            uncached.remove(next.getKey());
        }
        uncached.put(start, end);
    }

    private void removeUncached(long start, long end) {
        Map.Entry<Long, Long> before = uncached.lowerEntry(start);
        if (before != null && before.getValue() > start) {
            uncached.put(before.getKey(), start);
            if (before.getValue() > end) {
                uncached.put(end, before.getValue());
            }
        }
        Map.Entry<Long, Long> next;
        while ((next = uncached.ceilingEntry(start)) != null && next.getKey() < end) {
            uncached.remove(next.getKey());
            if (next.getValue() > end) {
                uncached.put(end, next.getValue());
            }
        }
    }

    private void readUncached(long p, long length) {
        CacheObserver[] obs = observers.get();
        if (obs.length != 0) {
            Observers.cpuRead(obs, p, length, lineSize, false);
        }
    }

    private void wroteUncached(long p, long length) {
        CacheObserver[] obs = observers.get();
        if (obs.length != 0) {
            Observers.cpuWrite(obs, p, length, lineSize);
        }
    }

    // ---- observers ------------------------------------------------------------------------------

    @Override public void addObserver(CacheObserver observer) { observers.add(observer); }

    @Override public void removeObserver(CacheObserver observer) { observers.remove(observer); }

    // ---- lines ----------------------------------------------------------------------------------

    private long slotOffset(int slot) {
        return (long) slot * lineSize;
    }

    /** The set of {@code line}; its ways are the slots set, set + sets, set + 2 * sets, ... */
    private int setOf(long line) {
        return (int) ((line >>> lineShift) & setMask);
    }

    /** The slot holding {@code line}, or -1. */
    private int lookup(long line) {
        int sets = setMask + 1;
        for (int i = setOf(line); i < slots; i += sets) {
            if (tags[i] == line) {
                return i;
            }
        }
        return -1;
    }

    /**
     * One CPU access of one line: finds or allocates it (filling it from RAM when {@code fetch}),
     * marks it most recently used and, for a write, dirty; counts and reports it.
     */
    private int access(long line, boolean write, boolean fetch) {
        int slot = lookup(line);
        boolean hit = slot >= 0;
        if (hit) {
            hits++;
            lastUse[slot] = ++useClock;
        } else {
            misses++;
            slot = allocate(line, fetch);
        }
        CacheObserver[] obs = observers.get();
        if (write) {
            dirty[slot] = true;
            for (CacheObserver o : obs) {
                o.cpuWrite(line);
            }
        } else {
            for (CacheObserver o : obs) {
                o.cpuRead(line, hit);
            }
        }
        return slot;
    }

    /** Counts and reports a read hit found by {@link #lookup}. */
    private void hit(int slot, long line) {
        hits++;
        lastUse[slot] = ++useClock;
        for (CacheObserver o : observers.get()) {
            o.cpuRead(line, true);
        }
    }

    /** Puts {@code line} in its set, evicting the least recently used way if the set is full. */
    private int allocate(long line, boolean fetch) {
        int sets = setMask + 1;
        int victim = setOf(line);
        for (int i = victim; i < slots; i += sets) {
            if (tags[i] == INVALID) {
                victim = i;
                break;
            }
            if (lastUse[i] < lastUse[victim]) {
                victim = i;
            }
        }
        long old = tags[victim];
        if (old != INVALID) {
            evictions++;
            if (dirty[victim]) {
                writeBack(victim);
                dirtyEvictions++;
                for (CacheObserver o : observers.get()) {
                    o.dirtyEviction(old);
                }
            }
        }
        if (fetch) {
            RamRegion r = memory.ramAt(line);
            MemorySegment.copy(r.memory(), line - r.base(), data, slotOffset(victim), lineSize);
        }
        tags[victim] = line;
        dirty[victim] = false;
        lastUse[victim] = ++useClock;
        return victim;
    }

    /** Copies a slot's whole line to RAM, ordered after every earlier CPU store and write-back. */
    private void writeBack(int slot) {
        long line = tags[slot];
        RamRegion r = memory.ramAt(line);
        VarHandle.releaseFence();
        MemorySegment.copy(data, slotOffset(slot), r.memory(), line - r.base(), lineSize);
    }

    // ---- speculative-prefetch injector --------------------------------------------------------

    /** Remembers the page of a CPU access and, with the configured probability, refills a line. */
    private void afterAccess(long p) {
        if (refillRate == 0) {
            return;
        }
        long page = p & -PAGE_SIZE;
        int last = (recentNext + RECENT_PAGES - 1) % RECENT_PAGES;
        if (recentCount == 0 || recentPages[last] != page) {
            boolean known = false;
            for (int i = 0; i < recentCount; i++) {
                known |= recentPages[i] == page;
            }
            if (!known) {
                recentPages[recentNext] = page;
                recentNext = (recentNext + 1) % RECENT_PAGES;
                recentCount = Math.min(recentCount + 1, RECENT_PAGES);
            }
        }
        if (random.nextDouble() < refillRate) {
            speculativeRefill();
        }
    }

    /**
     * Refills one absent, cacheable RAM line of a random recently touched page, starting the
     * search at a random line of that page. Does nothing when every line of that page is present.
     */
    private void speculativeRefill() {
        long page = recentPages[random.nextInt(recentCount)];
        int linesPerPage = PAGE_SIZE / lineSize;
        int first = random.nextInt(linesPerPage);
        for (int i = 0; i < linesPerPage; i++) {
            long line = page + (long) ((first + i) % linesPerPage) * lineSize;
            RamRegion r = memory.ramAt(line);
            if (r == null || isUncached(line) || lookup(line) >= 0) {
                continue;
            }
            allocate(line, true);
            refills++;
            for (CacheObserver o : observers.get()) {
                o.speculativeRefill(line);
            }
            return;
        }
    }
}
