/**
 * The CPU cache: the only path by which the CPU loads and stores RAM.
 *
 * <p>Models: a coherent cache ({@link org.jdma.machine.cache.CoherentCache}), which on x86 is
 * indistinguishable from pass-through for DMA purposes (device accesses snoop it), and a
 * non-coherent, write-back, write-allocate, set-associative LRU cache
 * ({@link org.jdma.machine.cache.WriteBackCache}, arm64-like) that device DMA bypasses, with
 * clean / invalidate / clean+invalidate by whole lines, dirty evictions, uncached memory types,
 * and an optional seeded speculative-prefetch injector. Observers see every line event, for the
 * kernel's coherency sanitizer.
 *
 * <p>The write-back cache is split by job: {@code CacheLines} (sets, ways, LRU, fills, evictions,
 * maintenance by range), {@code BulkAccess} (range loads, stores and fills, line by line),
 * {@code UncachedRanges} (memory types), {@code SpeculativeRefiller} (the injector) and
 * {@code Observers}; {@link org.jdma.machine.cache.WriteBackCache} is the CPU's view over them.
 *
 * <p>Does not model: more than one cache level or a cache per CPU (the CPUs share this one, see
 * {@code org.jdma.machine.cpu}), instruction caches, timing of hits and
 * misses, write buffers, or prefetch of lines outside recently touched pages.
 *
 * <p>Invariant: on a coherent machine a device always observes the CPU's latest stores and the
 * CPU always observes the device's latest writes, without any maintenance operation. On a
 * non-coherent machine RAM changes only by device writes, write-backs of dirty lines (clean,
 * eviction) and uncached CPU stores, and a CPU load returns its line's copy whenever the line is
 * present, however old.
 */
package org.jdma.machine.cache;
