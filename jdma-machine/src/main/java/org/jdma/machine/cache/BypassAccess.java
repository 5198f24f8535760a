package org.jdma.machine.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.platform.MemoryType;

/**
 * CPU accesses to memory whose type keeps it out of the cache, for both caches:
 * <ul>
 *   <li>{@link MemoryType#UNCACHED}: every load and store goes to memory at once, in program
 *       order; being an uncached access, it first drains the write-combining buffers (Intel SDM
 *       Vol. 3A §12.3: a read or write to uncached memory is one of the events that empties them).</li>
 *   <li>{@link MemoryType#WRITE_COMBINING}: loads read memory (and the CPU's own stores still in a
 *       buffer), stores go into the {@link WriteCombiningBuffers}.</li>
 * </ul>
 * Neither allocates a line. Observers see a load as a CPU read that missed (the data came from
 * memory) and a store as a CPU write, at the time of the store: a buffered store is the CPU's write
 * even before memory has it ({@code writeCombiningFlush} says when memory does).
 *
 * <p>Ordered accesses: an acquire load reads memory with acquire semantics; a release store is a
 * fence (the buffers drain: every earlier store, write-combined ones included, reaches memory
 * first) and then a release store to memory itself, not into a buffer, so a word a device polls is
 * published by the store that publishes it.
 *
 * <p>Not thread-safe: only the CPU thread runs it. Pieces given to {@code load}, {@code store} and
 * {@code fill} lie within one line and are RAM.
 */
final class BypassAccess {

    private static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final PhysicalMemory memory;
    private final Observers observers;
    private final int lineSize;
    final WriteCombiningBuffers wc;
    private final MemorySegment scratch = MemorySegment.ofArray(new byte[Long.BYTES]);

    BypassAccess(PhysicalMemory memory, Observers observers, int lineSize, int wcBuffers) {
        this.memory = memory;
        this.observers = observers;
        this.lineSize = lineSize;
        this.wc = new WriteCombiningBuffers(memory, observers, lineSize, wcBuffers);
    }

    /** A serialising event for the write-combining buffers (an uncached access, a type change): drains them. */
    void serialize() {
        if (wc.pending()) {
            wc.drain(WriteCombiningBuffers.Flush.SERIALIZING);
        }
    }

    /** A write barrier or release: drains the write-combining buffers. */
    void fence() {
        if (wc.pending()) {
            wc.drain(WriteCombiningBuffers.Flush.FENCE);
        }
    }

    /** Loads [p, p + n) of type {@code type} into {@code dst}. */
    void load(long p, MemoryType type, MemorySegment dst, long dstOffset, long n) {
        if (type == MemoryType.UNCACHED) {
            serialize();
        }
        RamRegion r = memory.ramAt(p);
        SegmentCopy.copy(r.memory(), p - r.base(), dst, dstOffset, n);
        if (type == MemoryType.WRITE_COMBINING) {
            wc.forward(p, dst, dstOffset, (int) n);
        }
        observers.uncachedRead(p, lineSize, n);
    }

    /** Stores {@code n} bytes of {@code src} to [p, p + n) of type {@code type}. */
    void store(long p, MemoryType type, MemorySegment src, long srcOffset, long n) {
        if (type == MemoryType.WRITE_COMBINING) {
            wc.store(p, src, srcOffset, (int) n);
        } else {
            serialize();
            RamRegion r = memory.ramAt(p);
            SegmentCopy.copy(src, srcOffset, r.memory(), p - r.base(), n);
        }
        observers.uncachedWrite(p, lineSize, n);
    }

    /** Stores {@code value} into every byte of [p, p + n) of type {@code type}. */
    void fill(long p, MemoryType type, long n, byte value) {
        if (type == MemoryType.WRITE_COMBINING) {
            wc.fill(p, (int) n, value);
        } else {
            serialize();
            RamRegion r = memory.ramAt(p);
            r.memory().asSlice(p - r.base(), n).fill(value);
        }
        observers.uncachedWrite(p, lineSize, n);
    }

    /** An acquire load of {@code size} (1, 4 or 8) bytes at {@code p}, of type {@code type}. */
    long loadAcquire(long p, MemoryType type, int size) {
        if (type == MemoryType.UNCACHED) {
            serialize();
        }
        RamRegion r = memory.ramAt(p);
        long v = acquire(r.memory(), p - r.base(), size);
        if (type == MemoryType.WRITE_COMBINING && wc.pending()) {
            scratch.set(LONG, 0, v);
            wc.forward(p, scratch, 0, size);
            long forwarded = scratch.get(LONG, 0);
            v = switch (size) {
                case Byte.BYTES -> (byte) forwarded;
                case Integer.BYTES -> (int) forwarded;
                default -> forwarded;
            };
        }
        observers.uncachedRead(p, lineSize, size);
        return v;
    }

    /** An acquire load of {@code size} (1, 4 or 8) bytes of {@code seg} at {@code offset}, sign-extended. */
    static long acquire(MemorySegment seg, long offset, int size) {
        return switch (size) {
            case Byte.BYTES -> (byte) BYTE_ATOMIC.getAcquire(seg, offset);
            case Integer.BYTES -> (int) INT_ATOMIC.getAcquire(seg, offset);
            default -> (long) LONG_ATOMIC.getAcquire(seg, offset);
        };
    }

    /** A release store of {@code size} (4 or 8) bytes at {@code p}: drains the buffers, then stores to memory. */
    void storeRelease(long p, int size, long value) {
        fence();
        RamRegion r = memory.ramAt(p);
        if (size == Integer.BYTES) {
            INT_ATOMIC.setRelease(r.memory(), p - r.base(), (int) value);
        } else {
            LONG_ATOMIC.setRelease(r.memory(), p - r.base(), value);
        }
        observers.uncachedWrite(p, lineSize, size);
    }
}
