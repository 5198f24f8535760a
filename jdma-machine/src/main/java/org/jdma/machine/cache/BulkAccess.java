package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.platform.MemoryType;

/**
 * The bulk CPU accesses of a {@link WriteBackCache} (load, store, fill of a range): each line of
 * the range is one CPU access (found or allocated, counted, reported, offered to the injector),
 * while the bytes move in runs of contiguous lines. Lines of other memory types (uncached,
 * write-combining) bypass the lines through {@link BypassAccess}.
 *
 * <p>Not thread-safe: only the CPU thread runs it.
 */
final class BulkAccess {

    private final CacheLines lines;
    private final MemoryTypeRanges types;
    private final BypassAccess bypass;
    private final SpeculativeRefiller refiller;
    private final int lineSize;
    private final long lineMask;

    BulkAccess(CacheLines lines, MemoryTypeRanges types, BypassAccess bypass, SpeculativeRefiller refiller) {
        this.lines = lines;
        this.types = types;
        this.bypass = bypass;
        this.refiller = refiller;
        this.lineSize = lines.lineSize;
        this.lineMask = lines.lineMask;
    }

    /** What a bulk access does with each piece of its range. */
    private interface Pieces {
        /** {@code n} bytes at {@code dataOffset} of the cache's lines, {@code done} bytes into the request. */
        void cached(long dataOffset, long done, long n);

        /** {@code n} bytes at {@code phys}, of memory type {@code type} (not write-back), {@code done} bytes into the request. */
        void bypassing(long phys, MemoryType type, long done, long n);
    }

    void load(long p, MemorySegment dst, long dstOffset, long length) {
        walk(p, length, false, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                SegmentCopy.copy(lines.data, dataOffset, dst, dstOffset + done, n);
            }

            @Override public void bypassing(long phys, MemoryType type, long done, long n) {
                bypass.load(phys, type, dst, dstOffset + done, n);
            }
        });
    }

    void store(long p, MemorySegment src, long srcOffset, long length) {
        walk(p, length, true, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                SegmentCopy.copy(src, srcOffset + done, lines.data, dataOffset, n);
            }

            @Override public void bypassing(long phys, MemoryType type, long done, long n) {
                bypass.store(phys, type, src, srcOffset + done, n);
            }
        });
    }

    void fill(long p, long length, byte value) {
        walk(p, length, true, new Pieces() {
            @Override public void cached(long dataOffset, long done, long n) {
                lines.data.asSlice(dataOffset, n).fill(value);
            }

            @Override public void bypassing(long phys, MemoryType type, long done, long n) {
                bypass.fill(phys, type, n, value);
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
            MemoryType type = types.typeAt(line);
            if (type != MemoryType.WRITE_BACK) {
                if (runLines > 0) {
                    pieces.cached(runData, runDone, runBytes);
                    runLines = 0;
                }
                pieces.bypassing(a, type, done, n);
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
