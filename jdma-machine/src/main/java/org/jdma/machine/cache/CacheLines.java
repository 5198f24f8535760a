package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.platform.CacheObserver;

/**
 * The line store of a set-associative write-back cache: {@code sets} sets of {@code ways} lines,
 * LRU within a set, each line with its tag, dirty bit and data. Finds and allocates lines (filling
 * them from RAM, evicting the least recently used way and writing it back when dirty), and cleans
 * or drops ranges of lines by maintenance. Counts and reports to the observers what it does.
 *
 * <p>Slots are laid out way-major ({@code way * sets + set}), so the same way of consecutive sets
 * is contiguous in {@link #data}: a bulk access moves runs of lines with one copy.
 *
 * <p>Not thread-safe: only the CPU thread touches the lines (see {@link WriteBackCache}).
 */
final class CacheLines {

    private static final long INVALID = -1L;

    private final PhysicalMemory memory;
    private final Observers observers;
    final int lineSize;
    final long lineMask;
    private final int lineShift;
    private final int setMask;
    private final int slots;

    private final long[] tags;
    private final boolean[] dirty;
    private final long[] lastUse;
    /** The lines' bytes, {@code lineSize} per slot. */
    final MemorySegment data;
    private long useClock;

    private long hits;
    private long misses;
    private long evictions;
    private long dirtyEvictions;
    private long cleans;
    private long invalidates;

    CacheLines(PhysicalMemory memory, Observers observers, int lineSize, int ways, long capacity) {
        this.memory = memory;
        this.observers = observers;
        this.lineSize = lineSize;
        this.lineMask = lineSize - 1L;
        this.lineShift = Integer.numberOfTrailingZeros(lineSize);
        int sets = (int) (capacity / ((long) lineSize * ways));
        this.setMask = sets - 1;
        this.slots = sets * ways;
        this.tags = new long[slots];
        Arrays.fill(tags, INVALID);
        this.dirty = new boolean[slots];
        this.lastUse = new long[slots];
        this.data = MemorySegment.ofArray(new byte[(int) capacity]);
    }

    int sets() { return setMask + 1; }
    long hits() { return hits; }
    long misses() { return misses; }
    long evictions() { return evictions; }
    long dirtyEvictions() { return dirtyEvictions; }
    long cleans() { return cleans; }
    long invalidates() { return invalidates; }

    boolean isDirty(int slot) {
        return dirty[slot];
    }

    long slotOffset(int slot) {
        return (long) slot * lineSize;
    }

    /** The set of {@code line}; its ways are the slots set, set + sets, set + 2 * sets, ... */
    private int setOf(long line) {
        return (int) ((line >>> lineShift) & setMask);
    }

    /** The slot holding {@code line}, or -1. */
    int lookup(long line) {
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
    int access(long line, boolean write, boolean fetch) {
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
    void hit(int slot, long line) {
        hits++;
        lastUse[slot] = ++useClock;
        for (CacheObserver o : observers.get()) {
            o.cpuRead(line, true);
        }
    }

    /** Puts {@code line} in its set, evicting the least recently used way if the set is full. */
    int allocate(long line, boolean fetch) {
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
            SegmentCopy.copy(r.memory(), line - r.base(), data, slotOffset(victim), lineSize);
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
        SegmentCopy.copy(data, slotOffset(slot), r.memory(), line - r.base(), lineSize);
    }

    // ---- maintenance by range: whole lines, every line reported (see WriteBackCache) ----------

    /** Writes back the dirty lines of [p, p + length); each line of the range is reported cleaned. */
    void clean(long p, long length) {
        CacheObserver[] obs = observers.get();
        if (obs.length == 0 && lineCount(p, length) > slots) {
            // A range larger than the cache: visit the slots instead of every line of the range.
            long start = p & ~lineMask;
            long end = p + length;
            for (int slot = 0; slot < slots; slot++) {
                long line = tags[slot];
                if (line != INVALID && line >= start && line < end && dirty[slot]) {
                    cleanSlot(slot);
                }
            }
            return;
        }
        for (long line = p & ~lineMask, end = p + length; line < end; line += lineSize) {
            int slot = lookup(line);
            if (slot >= 0 && dirty[slot]) {
                cleanSlot(slot);
            }
            for (CacheObserver o : obs) {
                o.cleaned(line);
            }
        }
    }

    private void cleanSlot(int slot) {
        writeBack(slot);
        dirty[slot] = false;
        cleans++;
    }

    /**
     * Drops the lines of [p, p + length), writing dirty ones back first when {@code writeBackFirst}
     * (clean+invalidate) or discarding their data (invalidate).
     */
    void drop(long p, long length, boolean writeBackFirst) {
        CacheObserver[] obs = observers.get();
        if (obs.length == 0 && lineCount(p, length) > slots) {
            long start = p & ~lineMask;
            long end = p + length;
            for (int slot = 0; slot < slots; slot++) {
                long line = tags[slot];
                if (line != INVALID && line >= start && line < end) {
                    dropSlot(slot, writeBackFirst);
                }
            }
            return;
        }
        for (long line = p & ~lineMask, end = p + length; line < end; line += lineSize) {
            int slot = lookup(line);
            boolean wasDirty = slot >= 0 && dirty[slot] && !writeBackFirst;
            if (slot >= 0) {
                dropSlot(slot, writeBackFirst);
            }
            for (CacheObserver o : obs) {
                if (writeBackFirst) {
                    o.cleaned(line);
                }
                o.invalidated(line, wasDirty);
            }
        }
    }

    private void dropSlot(int slot, boolean writeBackFirst) {
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
}
