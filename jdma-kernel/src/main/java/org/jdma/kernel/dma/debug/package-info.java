/**
 * The DMA-API checker (Linux dma-debug) and the coherency sanitizer.
 *
 * <p>Models: {@link org.jdma.kernel.dma.debug.DmaDebug}, a decorator over any
 * {@link org.jdma.kernel.dma.DmaApi} that keeps a table of live mappings per device and makes
 * Linux's 24 dma-debug checks with Linux's message categories (wrong free, wrong size, wrong
 * function, wrong direction, unchecked map errors, bad syncs, sg entry counts and segment limits,
 * overlapping cache lines, leaks at detach, maps of stack/text/vmalloc/non-RAM memory); and
 * {@link org.jdma.kernel.dma.debug.CoherencySanitizer}, which watches the CPU cache's events and
 * the mapping events to report what Linux cannot see: stale reads and writes on a non-coherent
 * machine, by cache line; and {@link org.jdma.kernel.dma.debug.DeviceAccessCheck}, which checks
 * every memory access an attached device makes (seen through the platform's device-access
 * observation, before the data moves) against that device's live entries. Reports go to listeners with the device, the mapping and the Java stack
 * of the map call. The kernel puts the checker in front of its own DMA API when booted with
 * {@code Kernel.Options.dmaDebug}, so its drivers' rings and buffers are checked like any mapping.
 *
 * <p>Inside, one class per responsibility, all under the checker's one lock:
 * {@code CheckerState} (what the checker keeps and how calls change it), {@code EntryTable} (live
 * entries and Linux's exact and containing lookups), {@code DebugChecks} (checks 1-14 and 16-21),
 * {@code CachelineTracker} (22-24), {@code DebugReporter} (reports, counters, listeners),
 * {@code UnmapHistory} (recently removed entries with their unmap sites), {@code DeviceAccessCheck}.
 *
 * <p>Does not model: Linux's fixed entry pool and its growth (entries are Java objects; only the
 * cache-line tracker has a capacity, check 24); debugfs and the driver filter (listeners and
 * counters instead); the kernel's stack, text and vmalloc areas, which exist only when declared.
 *
 * <p>Invariant: every mapping the delegate made and has not unmapped has exactly one entry per
 * device segment in the table, until its device is detached (then it is reported as a leak and
 * forgotten); the checker never changes what the delegate does or returns.
 */
package org.jdma.kernel.dma.debug;
