package org.jdma.platform;

/**
 * Watches what happens to cache lines, for debugging tools (the kernel's coherency sanitizer),
 * the way a bus analyzer watches a real system. Every callback names the line's physical address
 * (aligned to the line size). Called synchronously, on the thread that caused the event; an
 * observer must not touch the cache from a callback.
 *
 * <p>A coherent cache reports CPU accesses and device accesses (it has no lines to refill or
 * evict); a non-coherent cache reports everything.
 */
public interface CacheObserver {

    /** The CPU read (part of) the line; {@code hit} false when it was filled from memory first. */
    default void cpuRead(long line, boolean hit) { }

    /** The CPU wrote (part of) the line; it is now dirty (non-coherent) or in memory (coherent). */
    default void cpuWrite(long line) { }

    /** A device read the line from memory (non-coherent: whatever the cache holds is not seen). */
    default void deviceRead(long line) { }

    /** A device wrote the line in memory. */
    default void deviceWrite(long line) { }

    /** A dirty line was written back to memory because it was evicted (not because of a clean). */
    default void dirtyEviction(long line) { }

    /** A clean (write back) of the line by software. */
    default void cleaned(long line) { }

    /** An invalidate of the line by software; {@code wasDirty} when dirty data was discarded. */
    default void invalidated(long line, boolean wasDirty) { }

    /** The speculative-prefetch injector refilled the line from memory. */
    default void speculativeRefill(long line) { }

    /**
     * A write-combining buffer holding CPU stores to the line reached memory: {@code bytes} of the
     * line were written (all of it in one burst, or only the bytes the CPU stored). Until then a
     * device reading the line saw memory without those stores.
     */
    default void writeCombiningFlush(long line, int bytes) { }
}
