package org.jdma.kernel.dma.debug;

import java.util.HashMap;
import java.util.Map;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.MemoryOwner;
import org.jdma.platform.CacheObserver;

/**
 * The coherency sanitizer: what Linux cannot check, because it does not see the CPU's loads and
 * stores. It keeps shadow state per cache line, fed by two streams: the CPU cache's events
 * ({@link CacheObserver}: CPU reads and writes, device reads and writes, cleans, invalidates,
 * dirty evictions, speculative refills) and the mapping events its {@link DmaDebug} sees (map,
 * unmap and syncs say who owns which lines). It reports:
 * <ul>
 *   <li>(a) {@link DmaDebugCategory#DEVICE_READ_DIRTY_LINE}: a device read a line of a live
 *       mapping whose CPU copy is dirty (written and never cleaned): the device got stale memory;</li>
 *   <li>(b) {@link DmaDebugCategory#CPU_READ_STALE_LINE}: a CPU read hit a cached copy filled
 *       before the device's last write to the line (no invalidate after the DMA; or a speculative
 *       refill while the device owned the line);</li>
 *   <li>(c) {@link DmaDebugCategory#CPU_WRITE_DEVICE_OWNED}: a CPU write to a line the device owns,
 *       or a write-back (dirty eviction, or a clean of a dirty line) that put the CPU's copy over
 *       data the device wrote later;</li>
 *   <li>(d) {@link DmaDebugCategory#PARTIAL_CACHE_LINE}: a mapping the device may write covers
 *       only part of a line, and another live allocation owns bytes of the rest (asked of the
 *       kernel's memory manager, {@link DmaMemory#ownerAt}: a block of another DMA pool block, other
 *       frames). Bytes of the mapping's own allocation, and free memory, are no one else's: no
 *       report. Without a memory manager to ask, (d) is not checked;</li>
 *   <li>(e) {@link DmaDebugCategory#CPU_TOUCH_DEVICE_OWNED}: a CPU read of a line of a
 *       device-writable streaming mapping between map (or syncForDevice) and syncForCpu.</li>
 * </ul>
 * Each report names the line, the mapping and the call that was missing.
 *
 * <p>Shadow state per line: the mapping that last covered it and whether the device owns it;
 * whether the CPU's copy is dirty; when the cache's copy was filled and when a device last wrote
 * the line (event sequence numbers), so a hit on a copy older than the device's write is a stale
 * read. The states of the reference sketch map onto this: CPU_OWNED_CLEAN/DIRTY = not device
 * owned, dirty or not; DEVICE_OWNED = device owned; DEVICE_WROTE_UNSYNCED = device write newer
 * than the fill; STALE_IN_CACHE = a fill (refill) older than a device write.
 *
 * <p>CPU accesses the decorated layer makes itself (bounce copies, zeroing) update the shadow
 * state but are never reported: they are the layer's business, not the driver's.
 *
 * <p>Does not model: bounce buffers (the device then reads and writes the bounce slot, which no
 * mapping covers, so only the protocol is checked); which bytes of a line an access touched.
 * On a coherent cache (x86) stale data cannot happen, so only (c) and (e), which are portability
 * bugs, are reported. Each finding is reported once per mapping until the mapping changes owner
 * (a sync, unmap or new mapping), naming the first line found; (d) once per shared line.
 * Lines of no live mapping are tracked only while the CPU's copy is dirty or a stale copy may
 * remain, so the state stays bounded by the cache's capacity plus the mapped lines.
 *
 * <p>Thread use: every callback takes the checker's lock; callbacks come on the thread that caused
 * the event (a device thread for device accesses).
 */
public final class CoherencySanitizer implements CacheObserver {

    private static final int A = 1;
    private static final int B = 2;
    private static final int C = 4;
    private static final int D = 8;
    private static final int E = 16;
    private static final int EVICTION = 32;

    /** Shadow state of one cache line. */
    private static final class Line {
        MappedRegion owner;
        boolean deviceOwned;
        boolean dirty;
        long dirtySeq = -1;
        /** When the cache's copy was filled; -1: unknown, as old as anything. */
        long fillSeq = -1;
        /** The cache certainly holds no copy (invalidated or evicted since). */
        boolean knownAbsent;
        long deviceWriteSeq = -1;
        boolean refilledWhileDeviceOwned;
        int reported;

        boolean liveDeviceOwned() {
            return owner != null && owner.live && deviceOwned;
        }
    }

    private final DmaDebug debug;
    private final Object lock;
    private final int lineSize;
    private final boolean coherent;
    private final Map<Long, Line> lines = new HashMap<>();
    private long seq;
    private boolean disabled;
    /** Who owns which bytes; null: unknown, (d) is not checked. */
    private DmaMemory memory;

    CoherencySanitizer(DmaDebug debug, int lineSize, boolean coherent) {
        this.debug = debug;
        this.lock = debug.lock();
        this.lineSize = lineSize;
        this.coherent = coherent;
    }

    /** Answers (d)'s question, who else owns bytes of a partly mapped line, from {@code m}'s allocators. */
    void owners(DmaMemory m) {
        this.memory = m;
    }

    /** Line size in bytes. */
    public int lineSize() {
        return lineSize;
    }

    /** Lines with shadow state now. */
    public int trackedLines() {
        synchronized (lock) {
            return lines.size();
        }
    }

    // ---- mapping events (lock held by DmaDebug) --------------------------------------------------

    void mapped(MappedRegion r) {
        if (disabled) {
            return;
        }
        r.sanitizerReported = 0;
        forEachLine(r, -1, -1, (ln, l) -> {
            l.owner = r;
            l.deviceOwned = true;
            l.reported = 0;
        });
        if (!coherent && r.direction.deviceWrites()) {
            checkPartialLines(r);
        }
    }

    void unmapped(MappedRegion r) {
        if (disabled) {
            return;
        }
        r.sanitizerReported = 0;
        forEachLine(r, -1, -1, (ln, l) -> {
            if (l.owner == r) {
                l.deviceOwned = false;
                l.reported = 0;
                prune(ln, l); // nothing dirty and no stale copy possible: the line needs no state any more
            }
        });
    }

    void toCpu(MappedRegion r, long start, long end) {
        if (disabled || !r.live) {
            return;
        }
        r.sanitizerReported = 0;
        forEachLine(r, start, end, (ln, l) -> {
            if (l.owner == r) {
                l.deviceOwned = false;
                l.reported = 0;
            }
        });
    }

    void toDevice(MappedRegion r, long start, long end) {
        if (disabled || !r.live) {
            return;
        }
        r.sanitizerReported = 0;
        forEachLine(r, start, end, (ln, l) -> {
            l.owner = r;
            l.deviceOwned = true;
            l.reported = 0;
        });
    }

    void disable() {
        disabled = true;
        lines.clear();
    }

    private interface LineAction {
        void apply(long line, Line state);
    }

    /** Applies {@code action} to every line of the region's ranges (clipped to [start, end) unless start is -1). */
    private void forEachLine(MappedRegion r, long start, long end, LineAction action) {
        long mask = -(long) lineSize;
        for (int i = 0; i < r.starts.length; i++) {
            long s = start < 0 ? r.starts[i] : Math.max(start, r.starts[i]);
            long e = start < 0 ? r.ends[i] : Math.min(end, r.ends[i]);
            for (long ln = s & mask; ln < e; ln += lineSize) {
                action.apply(ln, lines.computeIfAbsent(ln, k -> new Line()));
            }
        }
    }

    /** (d): an edge line the region covers only partly, whose other bytes another live allocation owns. */
    private void checkPartialLines(MappedRegion r) {
        if (memory == null) {
            return;
        }
        long mask = -(long) lineSize;
        for (int i = 0; i < r.starts.length; i++) {
            long[] edges = {r.starts[i] & mask, (r.ends[i] - 1) & mask};
            long[] own = {r.starts[i], r.ends[i] - 1};
            for (int k = 0; k < 2; k++) {
                long ln = edges[k];
                Line l = lines.get(ln);
                if (l == null || (l.reported & D) != 0 || covered(r, ln) == lineSize) {
                    continue;
                }
                MemoryOwner other = otherOwner(r, ln, memory.ownerAt(own[k]));
                if (other != null) {
                    l.reported |= D;
                    report(DmaDebugCategory.PARTIAL_CACHE_LINE, r, ln, String.format(
                            "mapping shares cache line 0x%x with another live allocation the device may overwrite [mapping covers %d of %d bytes]"
                                    + " [other: %s] [mapped with %s]: a clean or invalidate of the line also hits the other allocation's bytes;"
                                    + " align and pad DMA buffers to the cache line (%d bytes) or bounce them",
                            ln, covered(r, ln), lineSize, other, DmaMapping.directionName(r.direction), lineSize));
                }
            }
        }
    }

    /** Bytes of line {@code ln} the region's ranges cover. */
    private long covered(MappedRegion r, long ln) {
        long covered = 0;
        for (int j = 0; j < r.starts.length; j++) {
            covered += Math.max(0, Math.min(r.ends[j], ln + lineSize) - Math.max(r.starts[j], ln));
        }
        return covered;
    }

    /**
     * A live allocation other than {@code mine} that owns a byte of line {@code ln} outside the
     * region, or null. Walks the line by owner extents, so a line costs a few allocator lookups.
     */
    private MemoryOwner otherOwner(MappedRegion r, long ln, MemoryOwner mine) {
        long a = ln;
        long end = ln + lineSize;
        while (a < end) {
            long inRange = rangeEndAt(r, a);
            if (inRange > a) {
                a = inRange;
                continue;
            }
            MemoryOwner o = memory.ownerAt(a);
            if (o == null) {
                return null; // not managed memory: the allocators cannot say; no false alarm
            }
            if (o.live() && !o.sameAs(mine)) {
                return o;
            }
            a = Math.max(a + 1, o.end());
        }
        return null;
    }

    /** The end of the region's range containing {@code a}, or {@code a} when none does. */
    private static long rangeEndAt(MappedRegion r, long a) {
        for (int j = 0; j < r.starts.length; j++) {
            if (a >= r.starts[j] && a < r.ends[j]) {
                return r.ends[j];
            }
        }
        return a;
    }

    // ---- cache events ----------------------------------------------------------------------------

    @Override
    public void cpuRead(long line, boolean hit) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null) {
                return;
            }
            seq++;
            boolean stale = !coherent && hit && l.owner != null && l.deviceWriteSeq > l.fillSeq;
            if (!hit) {
                l.fillSeq = seq;
                l.knownAbsent = false;
                l.refilledWhileDeviceOwned = false;
            }
            if (debug.inLayer()) {
                return; // the layer's own access (a bounce copy): not the driver's
            }
            if (stale) {
                once(l.owner, B, () -> report(DmaDebugCategory.CPU_READ_STALE_LINE, l.owner, line, String.format(
                        "CPU read a stale cache line the device had written [line=0x%x]: the cached copy was filled before the device's last write%s;"
                                + " missing call: %s (an invalidate after the DMA, before the CPU reads; an unmap without SKIP_CPU_SYNC makes it too)",
                        line, l.refilledWhileDeviceOwned ? " (it was refilled speculatively while the device owned the line: only an invalidate after the DMA removes such a copy)" : "",
                        call(l.owner, true))));
            } else if (l.liveDeviceOwned() && l.owner.direction.deviceWrites()) {
                once(l.owner, E, () -> report(DmaDebugCategory.CPU_TOUCH_DEVICE_OWNED, l.owner, line, String.format(
                        "CPU touched a streaming DMA buffer the device owns [line=0x%x]: a read between map (or syncForDevice) and syncForCpu sees whatever the device has or has not written yet;"
                                + " missing call: %s before the CPU reads",
                        line, call(l.owner, true))));
            }
        }
    }

    @Override
    public void cpuWrite(long line) {
        synchronized (lock) {
            if (disabled) {
                return;
            }
            Line l = lines.get(line);
            if (l == null) {
                if (coherent) {
                    return;
                }
                l = new Line();
                lines.put(line, l);
            }
            seq++;
            if (l.knownAbsent) {
                l.fillSeq = seq; // write-allocate: filled from memory now
                l.knownAbsent = false;
            }
            if (!coherent) {
                l.dirty = true;
                l.dirtySeq = seq;
            }
            Line s = l;
            if (l.liveDeviceOwned() && !debug.inLayer()) {
                once(l.owner, C, () -> report(DmaDebugCategory.CPU_WRITE_DEVICE_OWNED, s.owner, line, String.format(
                        "CPU wrote a cache line the device owns [line=0x%x]: %s; missing call: %s before the CPU writes (and %s before the device uses the buffer again)",
                        line, s.owner.direction.deviceReads() ? "the device may read the old bytes" : "a later writeback of this line overwrites the device's data",
                        call(s.owner, true), call(s.owner, false))));
            }
        }
    }

    @Override
    public void deviceRead(long line) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null || coherent || !l.dirty || l.owner == null || !l.owner.live) {
                return;
            }
            once(l.owner, A, () -> report(DmaDebugCategory.DEVICE_READ_DIRTY_LINE, l.owner, line, String.format(
                    "device read a cache line the CPU wrote and never cleaned [line=0x%x]: the device got memory's old bytes, the CPU's are still only in the cache;"
                            + " missing call: %s (a clean) after the CPU's last write and before the device reads%s",
                    line, call(l.owner, false), l.owner.skipCpuSync ? " (the mapping was made with SKIP_CPU_SYNC, so map did not clean)" : "")));
        }
    }

    @Override
    public void deviceWrite(long line) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null) {
                return;
            }
            seq++;
            l.deviceWriteSeq = seq;
        }
    }

    @Override
    public void dirtyEviction(long line) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null) {
                return;
            }
            seq++;
            writebackOverDeviceData(l, line, "a dirty eviction");
            l.dirty = false;
            l.knownAbsent = true;
            prune(line, l);
        }
    }

    @Override
    public void cleaned(long line) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null) {
                return;
            }
            if (l.dirty) {
                writebackOverDeviceData(l, line, "a clean (write-back)");
            }
            l.dirty = false;
            prune(line, l);
        }
    }

    @Override
    public void invalidated(long line, boolean wasDirty) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null) {
                return;
            }
            l.dirty = false;
            l.knownAbsent = true;
            l.fillSeq = -1;
            l.refilledWhileDeviceOwned = false;
            prune(line, l);
        }
    }

    @Override
    public void speculativeRefill(long line) {
        synchronized (lock) {
            Line l = disabled ? null : lines.get(line);
            if (l == null) {
                return;
            }
            seq++;
            l.fillSeq = seq;
            l.knownAbsent = false;
            l.refilledWhileDeviceOwned = l.liveDeviceOwned();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /**
     * (c): a dirty line written back to memory after the device wrote it overwrites the device's
     * data with the CPU's older copy (the CPU dirtied the line before or during the DMA: a CPU
     * write while the device owned it, no clean before the DMA, or a line shared with other data).
     */
    private void writebackOverDeviceData(Line l, long line, String how) {
        if (coherent || l.owner == null || !l.dirty || l.deviceWriteSeq <= l.dirtySeq) {
            return;
        }
        once(l.owner, EVICTION, () -> report(DmaDebugCategory.CPU_WRITE_DEVICE_OWNED, l.owner, line, String.format(
                "%s of cache line 0x%x wrote the CPU's copy over data the device wrote later: the DMA data is lost;"
                        + " missing call: %s (a clean) before the device owns the line, and no CPU write to it until %s%s",
                how, line, call(l.owner, false), call(l.owner, true),
                l.owner.starts.length > 0 && sharesEdgeLine(l.owner, line) ? " (the mapping shares this line with other data the CPU wrote)" : "")));
    }

    private boolean sharesEdgeLine(MappedRegion r, long line) {
        for (int i = 0; i < r.starts.length; i++) {
            if ((r.starts[i] & -(long) lineSize) == line && r.starts[i] != line
                    || ((r.ends[i] - 1) & -(long) lineSize) == line && r.ends[i] != line + lineSize) {
                return true;
            }
        }
        return false;
    }

    /** Forgets a line no live mapping covers once nothing about it can go wrong any more. */
    private void prune(long line, Line l) {
        boolean mapped = l.owner != null && l.owner.live;
        boolean staleCopyPossible = !l.knownAbsent && l.deviceWriteSeq > l.fillSeq;
        if (!mapped && !l.dirty && !staleCopyPossible) {
            lines.remove(line);
        }
    }

    /** Reports a finding once per mapping and ownership period (the first line found is named). */
    private static void once(MappedRegion r, int bit, Runnable report) {
        if ((r.sanitizerReported & bit) == 0) {
            r.sanitizerReported |= bit;
            report.run();
        }
    }

    /** The sync call that hands the region's lines to the CPU ({@code forCpu}) or to the device. */
    private static String call(MappedRegion r, boolean forCpu) {
        boolean sg = r.type == DmaMappingType.SCATTER_GATHER;
        String dir = DmaMapping.directionName(r.direction);
        return (sg ? "syncSg" : "syncSingle") + (forCpu ? "ForCpu" : "ForDevice") + "(" + dir + ")";
    }

    private void report(DmaDebugCategory c, MappedRegion r, long line, String text) {
        debug.report(c, r.device, r.first, line, text);
    }
}
