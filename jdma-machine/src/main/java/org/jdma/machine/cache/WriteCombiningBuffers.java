package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.platform.CacheObserver;

/**
 * The CPU's write-combining buffers, where stores to {@link org.jdma.platform.MemoryType#WRITE_COMBINING}
 * memory wait (Intel SDM Vol. 3A §12.3.1 "Buffering of Write Combining Memory Locations"; arm64
 * Normal Non-cacheable memory behaves alike): a few buffers of one cache line each, apart from the
 * cache and not snooped, so neither a device nor the coherent bus sees a store still in one.
 *
 * <ul>
 *   <li>A store to a line goes into the buffer that holds the line, or opens the lowest free one.
 *       Stores to the same line merge; a later store to a byte replaces the earlier one
 *       (collapsing), and a byte-enable mask records which bytes were written.</li>
 *   <li>A buffer whose every byte is written is flushed at once as one burst ({@link Flush#FULL}).</li>
 *   <li>A store that needs a buffer when all are open evicts the one opened earliest (oldest first;
 *       the SDM leaves the choice to the implementation) ({@link Flush#EVICTION}).</li>
 *   <li>A write barrier or release store drains them all ({@link Flush#FENCE}); so does any
 *       uncached access (UC memory, MMIO, port I/O) or a change of memory type
 *       ({@link Flush#SERIALIZING}; the SDM's list of serialising events for WC buffers).</li>
 *   <li>A flush writes only the bytes the mask enables (partial writes), so device data in the
 *       other bytes of the line survives.</li>
 *   <li>Draining flushes the buffers in buffer order, not in the order of the stores: after an
 *       eviction reused a low buffer, a line stored later reaches memory before one stored earlier.
 *       WC is weakly ordered; software orders with a barrier, never with store order.</li>
 * </ul>
 *
 * <p>The CPU's own loads of WC memory read memory and then take any bytes still waiting in a buffer
 * for that line (store forwarding): a CPU always sees its own stores; the buffer stays open.
 *
 * <p>Not modelled: the drain on an interrupt or a locked instruction (TODO: the CPU should drain
 * here when it takes an interrupt; until then a store buffered before an interrupt is still
 * buffered in the handler, until its next barrier or uncached access), one set of buffers per CPU
 * (the machine's CPUs share one cache model, so they share these buffers), and the 8-byte
 * chunking of partial writes on the bus.
 *
 * <p>Not thread-safe: only the CPU thread stores, loads and drains. A flush is preceded by a
 * release fence, so a device thread that acquires a word written after the flush sees its bytes.
 */
final class WriteCombiningBuffers {

    /** Why a buffer went to memory. */
    enum Flush {
        /** Every byte of the line was written: one burst. */
        FULL,
        /** A store needed a buffer and all were open: the oldest went. */
        EVICTION,
        /** A write barrier or release store drained the buffers. */
        FENCE,
        /** An uncached access (UC memory, MMIO, port I/O) or a memory-type change drained the buffers. */
        SERIALIZING
    }

    private static final long FREE = -1L;

    private final PhysicalMemory memory;
    private final Observers observers;
    private final int lineSize;
    private final long lineMask;
    private final int maskWords;
    private final long[] lines;
    private final long[] openedAt;
    private final long[] masks;
    private final MemorySegment data;
    private long clock;
    private int open;

    private long stores;
    private long bytesFlushed;
    private final long[] flushes = new long[Flush.values().length];

    /** {@code buffers} buffers of one {@code lineSize}-byte line each. */
    WriteCombiningBuffers(PhysicalMemory memory, Observers observers, int lineSize, int buffers) {
        if (buffers < 1) {
            throw new IllegalArgumentException("write-combining buffers must be at least 1, was " + buffers);
        }
        this.memory = memory;
        this.observers = observers;
        this.lineSize = lineSize;
        this.lineMask = lineSize - 1L;
        this.maskWords = Math.max(1, lineSize / Long.SIZE);
        this.lines = new long[buffers];
        Arrays.fill(lines, FREE);
        this.openedAt = new long[buffers];
        this.masks = new long[buffers * maskWords];
        this.data = MemorySegment.ofArray(new byte[buffers * lineSize]);
    }

    /** Whether any buffer holds stores not yet in memory (the one check the hot paths pay). */
    boolean pending() {
        return open != 0;
    }

    WriteCombiningStats stats() {
        return new WriteCombiningStats(lines.length, stores, flushes[Flush.FULL.ordinal()],
                flushes[Flush.EVICTION.ordinal()], flushes[Flush.FENCE.ordinal()],
                flushes[Flush.SERIALIZING.ordinal()], bytesFlushed);
    }

    /** Stores {@code n} bytes of {@code src} at {@code srcOffset} to [p, p + n), which lies in one line. */
    void store(long p, MemorySegment src, long srcOffset, int n) {
        int slot = slotFor(p);
        int off = (int) (p & lineMask);
        SegmentCopy.copy(src, srcOffset, data, (long) slot * lineSize + off, n);
        written(slot, off, n);
    }

    /** Stores {@code value} into every byte of [p, p + n), which lies in one line. */
    void fill(long p, int n, byte value) {
        int slot = slotFor(p);
        int off = (int) (p & lineMask);
        data.asSlice((long) slot * lineSize + off, n).fill(value);
        written(slot, off, n);
    }

    /**
     * Overlays onto {@code dst} (which holds memory's [p, p + n), one line at most) the bytes of that
     * range still waiting in a buffer, so a CPU load sees the CPU's own stores.
     */
    void forward(long p, MemorySegment dst, long dstOffset, int n) {
        if (open == 0) {
            return;
        }
        int slot = find(p & ~lineMask);
        if (slot < 0) {
            return;
        }
        int off = (int) (p & lineMask);
        for (int i = 0; i < n; i++) {
            if (enabled(slot, off + i)) {
                dst.set(ValueLayout.JAVA_BYTE, dstOffset + i, data.get(ValueLayout.JAVA_BYTE, (long) slot * lineSize + off + i));
            }
        }
    }

    /** Flushes every open buffer, in buffer order, for {@code why}. */
    void drain(Flush why) {
        for (int slot = 0; slot < lines.length && open != 0; slot++) {
            if (lines[slot] != FREE) {
                flush(slot, why);
            }
        }
    }

    private int find(long line) {
        for (int slot = 0; slot < lines.length; slot++) {
            if (lines[slot] == line) {
                return slot;
            }
        }
        return -1;
    }

    /** The buffer holding p's line: found, else the lowest free one opened, else the oldest evicted and reopened. */
    private int slotFor(long p) {
        stores++;
        long line = p & ~lineMask;
        int slot = find(line);
        if (slot >= 0) {
            return slot;
        }
        int oldest = 0;
        for (int s = 0; s < lines.length; s++) {
            if (lines[s] == FREE) {
                return open(s, line);
            }
            if (openedAt[s] < openedAt[oldest]) {
                oldest = s;
            }
        }
        flush(oldest, Flush.EVICTION);
        return open(oldest, line);
    }

    private int open(int slot, long line) {
        lines[slot] = line;
        openedAt[slot] = ++clock;
        open++;
        return slot;
    }

    private boolean enabled(int slot, int byteInLine) {
        return (masks[slot * maskWords + (byteInLine >>> 6)] & (1L << byteInLine)) != 0;
    }

    /** Sets the mask bits of [off, off + n) and flushes the buffer when the whole line is written. */
    private void written(int slot, int off, int n) {
        for (int i = off; i < off + n; i++) {
            masks[slot * maskWords + (i >>> 6)] |= 1L << i;
        }
        if (enabledBytes(slot) == lineSize) {
            flush(slot, Flush.FULL);
        }
    }

    private int enabledBytes(int slot) {
        int bytes = 0;
        for (int w = 0; w < maskWords; w++) {
            bytes += Long.bitCount(masks[slot * maskWords + w]);
        }
        return bytes;
    }

    /** Writes the buffer's enabled bytes to memory, run by run, and frees it. */
    private void flush(int slot, Flush why) {
        long line = lines[slot];
        RamRegion r = memory.ramAt(line);
        long base = (long) slot * lineSize;
        VarHandle.releaseFence();
        int bytes = 0;
        for (int i = 0; i < lineSize; ) {
            if (!enabled(slot, i)) {
                i++;
                continue;
            }
            int start = i;
            while (i < lineSize && enabled(slot, i)) {
                i++;
            }
            SegmentCopy.copy(data, base + start, r.memory(), line + start - r.base(), i - start);
            bytes += i - start;
        }
        Arrays.fill(masks, slot * maskWords, (slot + 1) * maskWords, 0L);
        lines[slot] = FREE;
        open--;
        flushes[why.ordinal()]++;
        bytesFlushed += bytes;
        for (CacheObserver o : observers.get()) {
            o.writeCombiningFlush(line, bytes);
        }
    }
}
