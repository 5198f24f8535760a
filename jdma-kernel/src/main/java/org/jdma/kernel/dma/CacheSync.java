package org.jdma.kernel.dma;

import org.jdma.platform.CacheMaintenance;

/**
 * Cache maintenance for streaming DMA on a non-coherent machine, as Linux arm64 does it
 * ({@code arch/arm64/mm/dma-mapping.c}); nothing at all on a coherent machine, where DMA snoops.
 *
 * <ul>
 *   <li>{@code arch_sync_dma_for_device}: {@code dcache_clean_poc} for every direction. arm64 used
 *       to invalidate FROM_DEVICE buffers here; since commit c50f11c6196f ("arm64: mm: Don't
 *       invalidate FROM_DEVICE buffers at start of DMA transfer", v5.19) it cleans, so a device
 *       that writes only part of the buffer cannot expose stale memory under lines the CPU
 *       dropped; the for-cpu invalidate below removes anything refilled meanwhile.</li>
 *   <li>{@code arch_sync_dma_for_cpu}: nothing for TO_DEVICE; otherwise {@code dcache_inval_poc},
 *       which cleans and invalidates a partial line at either end (it holds bytes outside the
 *       buffer that must not be lost) and invalidates the whole lines in between.</li>
 * </ul>
 */
final class CacheSync {

    private final CacheMaintenance cache;

    CacheSync(CacheMaintenance cache) {
        this.cache = cache;
    }

    boolean coherent() {
        return cache.coherent();
    }

    CacheMaintenance cache() {
        return cache;
    }

    /** Ownership of [phys, phys + size) passes to the device. */
    void forDevice(long phys, long size, DmaDirection direction) {
        if (cache.coherent() || size <= 0) {
            return;
        }
        cache.clean(phys, size);
    }

    /** Ownership of [phys, phys + size) returns to the CPU. */
    void forCpu(long phys, long size, DmaDirection direction) {
        if (cache.coherent() || size <= 0 || direction == DmaDirection.TO_DEVICE) {
            return;
        }
        long line = cache.lineSize();
        long start = phys;
        long end = phys + size;
        long firstFull = (start + line - 1) & -line;
        long lastFull = end & -line;
        if (firstFull >= lastFull) {
            // The range lies within one or two partial lines: keep the neighbours' bytes.
            cache.cleanInvalidate(start, size);
            return;
        }
        if (start != firstFull) {
            cache.cleanInvalidate(start & -line, line);
        }
        cache.invalidate(firstFull, lastFull - firstFull);
        if (end != lastFull) {
            cache.cleanInvalidate(lastFull, line);
        }
    }
}
