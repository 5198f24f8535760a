package org.jdma.platform;

/**
 * The CPU data cache as an OS may operate it: whether device DMA snoops it, its line size, the
 * maintenance instructions (clean, invalidate, both; arm64 {@code DC CVAC}, {@code DC IVAC},
 * {@code DC CIVAC}), and the memory type of physical ranges (x86 PAT / arm64 MAIR attributes).
 *
 * <p>On a coherent machine the maintenance calls do nothing: device accesses snoop the cache.
 * Ranges are physical and need not be line aligned: every line the range touches is affected
 * whole, so invalidating part of a line discards the rest of it too, as on hardware.
 */
public interface CacheMaintenance {

    /** Whether device DMA snoops the cache (x86), so software never cleans or invalidates. */
    boolean coherent();

    /** Cache line size in bytes, a power of two. */
    int lineSize();

    /** Writes dirty lines of the range back to memory; they stay valid. */
    void clean(long phys, long length);

    /** Drops the range's lines without writing them back: dirty data in them is lost. */
    void invalidate(long phys, long length);

    /** Writes dirty lines back, then drops them. */
    void cleanInvalidate(long phys, long length);

    /**
     * Sets the memory type CPU accesses to the range use (whole lines). Making a range
     * {@link MemoryType#UNCACHED} or {@link MemoryType#WRITE_COMBINING} cleans and invalidates its
     * lines first, so no stale or dirty copy survives; any change drains the write-combining
     * buffers first, as the serialising steps of a real type change do. The default does nothing,
     * for a cache without memory types.
     */
    default void memoryType(long phys, long length, MemoryType type) { }

    /**
     * A write barrier (Linux {@code wmb()}; x86 {@code SFENCE}, arm64 {@code DSB ST}): every CPU store
     * made before it reaches memory before any made after it. It drains the write-combining buffers,
     * so a device told afterwards to read {@link MemoryType#WRITE_COMBINING} memory sees the CPU's
     * stores; it writes back no cache line (that is {@link #clean}). The default does nothing, for a
     * cache without write-combining buffers.
     */
    default void writeBarrier() { }

    /** The memory type of the byte at {@code phys}. */
    default MemoryType memoryTypeAt(long phys) {
        return MemoryType.WRITE_BACK;
    }

    /**
     * Adds a debugging observer of cache-line events ({@link CacheObserver}): the one view of
     * hardware state an OS could not have, for checkers that must see what the device touched.
     */
    default void addObserver(CacheObserver observer) { }

    default void removeObserver(CacheObserver observer) { }
}
