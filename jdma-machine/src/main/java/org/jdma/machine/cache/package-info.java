/**
 * The CPU cache: the only path by which the CPU loads and stores RAM.
 *
 * <p>Models: a coherent cache ({@link org.jdma.machine.cache.CoherentCache}), which on x86 is
 * indistinguishable from pass-through for DMA purposes (device accesses snoop it), and a
 * non-coherent, write-back, write-allocate, set-associative LRU cache
 * ({@link org.jdma.machine.cache.WriteBackCache}, arm64-like) that device DMA bypasses, with
 * clean / invalidate / clean+invalidate by whole lines, dirty evictions, memory types, and an
 * optional seeded speculative-prefetch injector. Observers see every line event, for the kernel's
 * coherency sanitizer.
 *
 * <p>Memory types, on both caches: write-back (the default), uncached (every access goes to RAM at
 * once) and write-combining (Intel SDM Vol. 3A §12.3 and §12.3.1; arm64 Normal Non-cacheable):
 * loads read RAM, stores wait in a few line-sized write-combining buffers that no device snoops,
 * merging per line, until a buffer fills (one burst), a store evicts the oldest, or a write barrier,
 * release store or uncached access (UC RAM, MMIO, port I/O) drains them, in buffer order, writing
 * only the bytes stored. A device reads RAM without a store still in a buffer, on the coherent
 * machine too; no line of such memory is ever allocated, dirty or stale, so it needs no clean and
 * no invalidate, only the barrier before the device reads. Counters say what the buffers did
 * ({@link org.jdma.machine.cache.WriteCombiningStats}).
 *
 * <p>The write-back cache is split by job: {@code CacheLines} (sets, ways, LRU, fills, evictions,
 * maintenance by range), {@code BulkAccess} (range loads, stores and fills, line by line),
 * {@code MemoryTypeRanges} (memory types), {@code BypassAccess} and {@code WriteCombiningBuffers}
 * (accesses that do not use lines; shared with the coherent cache), {@code SpeculativeRefiller}
 * (the injector) and {@code Observers}; {@link org.jdma.machine.cache.WriteBackCache} is the CPU's
 * view over them.
 *
 * <p>Does not model: more than one cache level, a cache or write-combining buffers per CPU (the
 * CPUs share this one, see {@code org.jdma.machine.cpu}), instruction caches, timing of hits and
 * misses, the store buffer of write-back stores, the drain of write-combining buffers on an
 * interrupt or a locked instruction, or prefetch of lines outside recently touched pages.
 *
 * <p>Invariant: on a coherent machine a device always observes the CPU's latest stores to
 * write-back and uncached memory, and the CPU always observes the device's latest writes, without
 * any maintenance operation. On a non-coherent machine RAM changes only by device writes,
 * write-backs of dirty lines (clean, eviction), uncached CPU stores and write-combining flushes,
 * and a CPU load returns its line's copy whenever the line is present, however old. On both, a
 * write-combined store reaches RAM only by a flush of its buffer.
 */
package org.jdma.machine.cache;
