package org.jdma.machine.cache;

/**
 * What the CPU's write-combining buffers did: how many stores they took and how many memory writes
 * they made of them, by cause. Every flush is one memory write. A buffer flushes whole only when
 * its line was written completely ({@link #fullFlushes}); every other flush (eviction, fence,
 * serialising access) writes only the bytes stored, a partial write. The reason WC memory needs no
 * cache maintenance is that none of these counters involves a cache line: no clean, no
 * invalidate, no dirty line. Its cost is the barrier before a device reads, and partial writes
 * when stores do not fill lines.
 *
 * @param buffers            how many buffers the CPU has (each one cache line)
 * @param stores             CPU stores (or per-line pieces of a bulk store) that went into a buffer
 * @param fullFlushes        buffers flushed as one burst because every byte had been written
 * @param evictionFlushes    buffers flushed because a store to another line needed one and all were open
 * @param fenceFlushes       buffers flushed by a write barrier or a release store
 * @param serializingFlushes buffers flushed by an uncached access (UC memory, MMIO, port I/O) or a
 *                           memory-type change
 * @param bytesFlushed       bytes the flushes wrote to memory
 */
public record WriteCombiningStats(int buffers, long stores, long fullFlushes, long evictionFlushes,
                                  long fenceFlushes, long serializingFlushes, long bytesFlushed) {

    /** Memory writes made: one per flush. */
    public long flushes() {
        return fullFlushes + partialFlushes();
    }

    /** Flushes that wrote only the bytes the CPU had stored (byte-enable mask), not a whole line. */
    public long partialFlushes() {
        return evictionFlushes + fenceFlushes + serializingFlushes;
    }
}
