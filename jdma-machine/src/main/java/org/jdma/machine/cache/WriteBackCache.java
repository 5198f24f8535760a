package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.SplittableRandom;
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
 * <p>Memory types: ranges made {@link MemoryType#UNCACHED} or {@link MemoryType#WRITE_COMBINING}
 * are cleaned and invalidated first; CPU accesses to them then never allocate a line and the
 * speculative injector never refills them ({@link BypassAccess}). Uncached accesses go straight to
 * RAM (how coherent DMA buffers are mapped on a non-coherent machine); write-combined stores wait
 * in the {@link WriteCombiningBuffers} until a buffer fills or is evicted, or a
 * {@link #writeBarrier}, a release store or an uncached access (RAM, or MMIO and port I/O through
 * {@link #uncachedAccess}) drains them. A device never sees a store still in a buffer, and since no
 * line of the range is ever dirty or stale, such memory needs no clean and no invalidate: only the
 * barrier before the device reads.
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
 *   <li>a release store drains the write-combining buffers, then is a release fence and a store
 *       into the line (the device sees it once the line is cleaned or evicted).</li>
 * </ul>
 * On a coherent machine none of this applies ({@link CoherentCache}); benchmarks run the threaded
 * copy engine only there.
 *
 * <p>Parts: the line store ({@link CacheLines}: sets, ways, LRU, fills, evictions, maintenance by
 * range), the bulk accesses ({@link BulkAccess}), the memory types ({@link MemoryTypeRanges}) and
 * the accesses that bypass the lines ({@link BypassAccess}, with the write-combining buffers), the
 * injector ({@link SpeculativeRefiller}) and the observers ({@link Observers}). This class is the
 * CPU's view: scalar and ordered accesses, maintenance calls, memory types and the snoop hooks.
 *
 * <p>Invariant: a line's copy differs from RAM only if the line is dirty or RAM was written by a
 * device after the line was filled; RAM changes only by device writes, write-backs of dirty lines
 * (clean, eviction), uncached CPU stores and write-combining flushes.
 */
public final class WriteBackCache implements CpuCache {

    /** Page granularity of the speculative injector's "recently touched" window. */
    public static final int PAGE_SIZE = 4096;

    /** How many distinct recently touched pages the speculative injector chooses from. */
    public static final int RECENT_PAGES = 4;

    // Guest memory is little-endian (see CoherentCache).
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final PhysicalMemory memory;
    private final int lineSize;
    private final long lineMask;
    private final int ways;
    private final Observers observers = new Observers();
    private final CacheLines lines;
    /** The lines' bytes (the line store's, kept here for the access paths). */
    private final MemorySegment data;
    private final MemoryTypeRanges types = new MemoryTypeRanges();
    private final BypassAccess bypass;
    private final SpeculativeRefiller refiller;
    private final BulkAccess bulk;
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[Long.BYTES]);
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
        Objects.requireNonNull(random, "random");
        if (config.coherent()) {
            throw new IllegalArgumentException("a write-back cache needs a non-coherent CacheConfig, got " + config);
        }
        if (config.capacity() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cache capacity " + config.capacity() + " is larger than 2 GiB");
        }
        this.lineSize = config.lineSize();
        this.lineMask = lineSize - 1L;
        this.ways = config.ways();
        for (RamRegion r : memory.ramRegions()) {
            if ((r.base() & lineMask) != 0 || (r.size() & lineMask) != 0) {
                throw new IllegalArgumentException(String.format(
                        "RAM region %s [%#x, +%#x) is not aligned to the %d-byte cache line", r.name(), r.base(), r.size(), lineSize));
            }
        }
        this.lines = new CacheLines(memory, observers, lineSize, ways, config.capacity());
        this.data = lines.data;
        this.bypass = new BypassAccess(memory, observers, lineSize, config.writeCombiningBuffers());
        this.refiller = new SpeculativeRefiller(config.speculativeRefillRate(), random, memory, lines, types, observers);
        this.bulk = new BulkAccess(lines, types, bypass, refiller);
    }

    @Override public boolean coherent() { return false; }

    @Override public int lineSize() { return lineSize; }

    public int ways() { return ways; }

    public int sets() { return lines.sets(); }

    /** CPU line accesses that found their line. */
    public long hits() { return lines.hits(); }

    /** CPU line accesses that had to allocate a line (filled from RAM, or not, for a whole-line write). */
    public long misses() { return lines.misses(); }

    /** Valid lines replaced to make room (clean or dirty). */
    public long evictions() { return lines.evictions(); }

    /** Evicted lines that were dirty and so were written back on top of RAM. */
    public long dirtyEvictions() { return lines.dirtyEvictions(); }

    /** Dirty lines written back by clean or clean+invalidate. */
    public long cleans() { return lines.cleans(); }

    /** Valid lines dropped by invalidate or clean+invalidate. */
    public long invalidates() { return lines.invalidates(); }

    /** Lines refilled by the speculative-prefetch injector. */
    public long refills() { return refiller.refills(); }

    /** Number of clean / invalidate / clean+invalidate calls. */
    public long maintenanceOps() { return maintenanceOps; }

    /** True when the line holding {@code phys} is in the cache (for tests and tools; changes nothing). */
    public boolean isPresent(long phys) {
        return lines.lookup(phys & ~lineMask) >= 0;
    }

    /** True when the line holding {@code phys} is in the cache and dirty. */
    public boolean isDirty(long phys) {
        int slot = lines.lookup(phys & ~lineMask);
        return slot >= 0 && lines.isDirty(slot);
    }

    // ---- scalar accesses -------------------------------------------------------------------

    @Override
    public byte loadByte(long p) {
        MemoryType type = types.typeAt(p);
        if (type != MemoryType.WRITE_BACK) {
            bypass.load(p, type, scratch, 0, 1);
            afterAccess(p);
            return scratch.get(ValueLayout.JAVA_BYTE, 0);
        }
        int off = (int) (p & lineMask);
        int slot = lines.access(p - off, false, true);
        byte v = data.get(ValueLayout.JAVA_BYTE, lines.slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public short loadShort(long p) {
        int off = (int) (p & lineMask);
        if (off + Short.BYTES > lineSize || types.typeAt(p) != MemoryType.WRITE_BACK) {
            load(p, scratch, 0, Short.BYTES);
            return scratch.get(SHORT, 0);
        }
        int slot = lines.access(p - off, false, true);
        short v = data.get(SHORT, lines.slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public int loadInt(long p) {
        int off = (int) (p & lineMask);
        if (off + Integer.BYTES > lineSize || types.typeAt(p) != MemoryType.WRITE_BACK) {
            load(p, scratch, 0, Integer.BYTES);
            return scratch.get(INT, 0);
        }
        int slot = lines.access(p - off, false, true);
        int v = data.get(INT, lines.slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public long loadLong(long p) {
        int off = (int) (p & lineMask);
        if (off + Long.BYTES > lineSize || types.typeAt(p) != MemoryType.WRITE_BACK) {
            load(p, scratch, 0, Long.BYTES);
            return scratch.get(LONG, 0);
        }
        int slot = lines.access(p - off, false, true);
        long v = data.get(LONG, lines.slotOffset(slot) + off);
        afterAccess(p);
        return v;
    }

    @Override
    public void storeByte(long p, byte v) {
        MemoryType type = types.typeAt(p);
        if (type != MemoryType.WRITE_BACK) {
            scratch.set(ValueLayout.JAVA_BYTE, 0, v);
            bypass.store(p, type, scratch, 0, 1);
            afterAccess(p);
            return;
        }
        int off = (int) (p & lineMask);
        int slot = lines.access(p - off, true, true);
        data.set(ValueLayout.JAVA_BYTE, lines.slotOffset(slot) + off, v);
        afterAccess(p);
    }

    @Override
    public void storeShort(long p, short v) {
        int off = (int) (p & lineMask);
        if (off + Short.BYTES > lineSize || types.typeAt(p) != MemoryType.WRITE_BACK) {
            scratch.set(SHORT, 0, v);
            store(p, scratch, 0, Short.BYTES);
            return;
        }
        int slot = lines.access(p - off, true, true);
        data.set(SHORT, lines.slotOffset(slot) + off, v);
        afterAccess(p);
    }

    @Override
    public void storeInt(long p, int v) {
        int off = (int) (p & lineMask);
        if (off + Integer.BYTES > lineSize || types.typeAt(p) != MemoryType.WRITE_BACK) {
            scratch.set(INT, 0, v);
            store(p, scratch, 0, Integer.BYTES);
            return;
        }
        int slot = lines.access(p - off, true, true);
        data.set(INT, lines.slotOffset(slot) + off, v);
        afterAccess(p);
    }

    @Override
    public void storeLong(long p, long v) {
        int off = (int) (p & lineMask);
        if (off + Long.BYTES > lineSize || types.typeAt(p) != MemoryType.WRITE_BACK) {
            scratch.set(LONG, 0, v);
            store(p, scratch, 0, Long.BYTES);
            return;
        }
        int slot = lines.access(p - off, true, true);
        data.set(LONG, lines.slotOffset(slot) + off, v);
        afterAccess(p);
    }

    // ---- acquire / release (see the class comment for the ordering story) ------------------

    @Override
    public byte loadByteAcquire(long p) {
        return (byte) loadAcquire(p, Byte.BYTES);
    }

    @Override
    public int loadIntAcquire(long p) {
        return (int) loadAcquire(p, Integer.BYTES);
    }

    @Override
    public long loadLongAcquire(long p) {
        return loadAcquire(p, Long.BYTES);
    }

    private long loadAcquire(long p, int size) {
        MemoryType type = types.typeAt(p);
        if (type != MemoryType.WRITE_BACK) {
            long v = bypass.loadAcquire(p, type, size);
            afterAccess(p);
            return v;
        }
        if ((p & (size - 1)) != 0) {
            throw new IllegalArgumentException(String.format("acquire load of %d bytes at %#x is not naturally aligned", size, p));
        }
        int off = (int) (p & lineMask);
        long line = p - off;
        int slot = lines.lookup(line);
        if (slot >= 0) {
            lines.hit(slot, line);
            long v = get(size, lines.slotOffset(slot) + off);
            VarHandle.acquireFence();
            afterAccess(p);
            return v;
        }
        // Acquire the word first, so the fill that follows sees everything released before it.
        RamRegion r = memory.ramAt(p);
        long v = BypassAccess.acquire(r.memory(), p - r.base(), size);
        slot = lines.access(line, false, true);
        put(size, lines.slotOffset(slot) + off, v); // the line agrees with the value returned
        afterAccess(p);
        return v;
    }

    @Override
    public void storeIntRelease(long p, int v) {
        if (!releaseBypassing(p, Integer.BYTES, v)) {
            storeInt(p, v);
        }
    }

    @Override
    public void storeLongRelease(long p, long v) {
        if (!releaseBypassing(p, Long.BYTES, v)) {
            storeLong(p, v);
        }
    }

    /**
     * The release part of a release store: drains the write-combining buffers (a release orders
     * every earlier store) and fences; stores the value itself when {@code p} is not write-back.
     * Returns whether it did, so the caller stores into the line when not.
     */
    private boolean releaseBypassing(long p, int size, long v) {
        MemoryType type = types.typeAt(p);
        if (type != MemoryType.WRITE_BACK) {
            bypass.storeRelease(p, size, v);
            afterAccess(p);
            return true;
        }
        bypass.fence();
        VarHandle.releaseFence();
        return false;
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

    // ---- bulk accesses (line by line, bytes in runs: see BulkAccess) ---------------------------

    @Override
    public void load(long p, MemorySegment dst, long dstOffset, long length) {
        bulk.load(p, dst, dstOffset, length);
    }

    @Override
    public void store(long p, MemorySegment src, long srcOffset, long length) {
        bulk.store(p, src, srcOffset, length);
    }

    @Override
    public void fill(long p, long length, byte value) {
        bulk.fill(p, length, value);
    }

    static void checkLength(long p, long length) {
        if (length < 0) {
            throw new IllegalArgumentException(String.format("negative length %d at %#x", length, p));
        }
    }

    // ---- maintenance -------------------------------------------------------------------------

    @Override
    public void clean(long p, long length) {
        checkLength(p, length);
        maintenanceOps++;
        lines.clean(p, length);
    }

    @Override
    public void invalidate(long p, long length) {
        checkLength(p, length);
        maintenanceOps++;
        lines.drop(p, length, false);
    }

    @Override
    public void cleanInvalidate(long p, long length) {
        checkLength(p, length);
        maintenanceOps++;
        lines.drop(p, length, true);
    }

    // ---- snoop hooks: DMA bypasses this cache -------------------------------------------------

    /** Does nothing to the cache (the device reads RAM, not the CPU's dirty lines); tells observers. */
    @Override
    public void snoopDeviceRead(long p, long length) {
        observers.onDeviceRead(p, length, lineSize);
    }

    /** Does nothing to the cache (the CPU keeps its now stale lines); tells observers. */
    @Override
    public void snoopDeviceWrite(long p, long length) {
        observers.onDeviceWrite(p, length, lineSize);
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
        bypass.serialize();
        if (type != MemoryType.WRITE_BACK) {
            cleanInvalidate(start, end - start);
        }
        types.set(start, end, type);
    }

    @Override
    public MemoryType memoryTypeAt(long phys) {
        return types.typeAt(phys);
    }

    // ---- write-combining buffers (see BypassAccess) ----------------------------------------------

    @Override public void writeBarrier() { bypass.fence(); VarHandle.fullFence(); }

    @Override public void uncachedAccess() { bypass.serialize(); }

    @Override public WriteCombiningStats writeCombining() { return bypass.wc.stats(); }

    // ---- observers ------------------------------------------------------------------------------

    @Override public void addObserver(CacheObserver observer) { observers.add(observer); }

    @Override public void removeObserver(CacheObserver observer) { observers.remove(observer); }

    /** Remembers the page of a CPU access for the injector, which may then refill a line. */
    private void afterAccess(long p) {
        refiller.afterAccess(p);
    }
}
