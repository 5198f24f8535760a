package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;

/**
 * The bulk CPU accesses of a {@link WriteBackCache} (load, store, fill of a range): each line of
 * the range is one CPU access (found or allocated, counted, reported, offered to the injector),
 * while the bytes move in runs of contiguous lines. Uncached lines go straight to RAM.
 *
 * <p>Not thread-safe: only the CPU thread runs it.
 */
final class BulkAccess {

    private final PhysicalMemory memory;
    private final CacheLines lines;
    private final UncachedRanges uncached;
    private final SpeculativeRefiller refiller;
    private final Observers observers;
    private final int lineSize;
    private final long lineMask;

    BulkAccess(PhysicalMemory memory, CacheLines lines, UncachedRanges uncached, SpeculativeRefiller refiller,
               Observers observers) {
        this.memory = memory;
        this.lines = lines;
        this.uncached = uncached;
        this.refiller = refiller;
        this.observers = observers;
        this.lineSize = lines.lineSize;
        this.lineMask = lines.lineMask;
    }

    /** What a bulk access does with each piece of its range. */
    private interface Pieces {
        /** {@code n} bytes at {@code dataOffset} of the cache's lines, {@code done} bytes into the request. */
        void cached(long dataOffset, long done, long n);

        /** {@code n} bytes of uncached RAM at {@code ramOffset} of {@code ram}, {@code done} bytes into the request. */
        void uncached(MemorySegment ram, long ramOffset, long done, long n);
    }

    void load(long p, MemorySegment dst, long dstOffset, long length) {
        walk(p, length, false, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                MemorySegment.copy(lines.data, dataOffset, dst, dstOffset + done, n);
            }

            @Override public void uncached(MemorySegment ram, long ramOffset, long done, long n) {
                MemorySegment.copy(ram, ramOffset, dst, dstOffset + done, n);
            }
        });
    }

    void store(long p, MemorySegment src, long srcOffset, long length) {
        walk(p, length, true, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                MemorySegment.copy(src, srcOffset + done, lines.data, dataOffset, n);
            }

            @Override public void uncached(MemorySegment ram, long ramOffset, long done, long n) {
                MemorySegment.copy(src, srcOffset + done, ram, ramOffset, n);
            }
        });
    }

    void fill(long p, long length, byte value) {
        walk(p, length, true, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                lines.data.asSlice(dataOffset, n).fill(value);
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
     * are contiguous in the line store and move with one copy. A run stays shorter than the number
     * of sets, so no access of the run can evict an earlier line of it; with the injector on,
     * whose refills may evict any line, every line moves before the injector runs.
     *
     * <p>A write covering a whole line does not read it from RAM first (write streaming).
     */
    private void walk(long p, long length, boolean write, Pieces pieces) {
        WriteBackCache.checkLength(p, length);
        int maxRun = refiller.active() ? 1 : Math.max(1, lines.sets() - 1);
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
            if (uncached.contains(line)) {
                if (runLines > 0) {
                    pieces.cached(runData, runDone, runBytes);
                    runLines = 0;
                }
                RamRegion r = memory.ramAt(a);
                pieces.uncached(r.memory(), a - r.base(), done, n);
                if (write) {
                    observers.uncachedWrite(a, lineSize, n);
                } else {
                    observers.uncachedRead(a, lineSize, n);
                }
            } else {
                int slot = lines.access(line, write, !write || n != lineSize);
                if (runLines > 0 && slot == runSlot + runLines && runLines < maxRun) {
                    runLines++;
                    runBytes += n;
                } else {
                    if (runLines > 0) {
                        pieces.cached(runData, runDone, runBytes);
                    }
                    runSlot = slot;
                    runLines = 1;
                    runData = lines.slotOffset(slot) + off;
                    runDone = done;
                    runBytes = n;
                }
                if (maxRun == 1) {
                    pieces.cached(runData, runDone, runBytes);
                    runLines = 0;
                }
            }
            done += n;
            refiller.afterAccess(a);
        }
        if (runLines > 0) {
            pieces.cached(runData, runDone, runBytes);
        }
    }
}
