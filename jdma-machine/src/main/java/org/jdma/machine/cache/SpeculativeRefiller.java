package org.jdma.machine.cache;

import java.util.SplittableRandom;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.platform.CacheObserver;
import org.jdma.platform.MemoryType;

/**
 * The speculative-prefetch injector of a non-coherent cache: after each CPU access, with the
 * configured probability, it refills one absent, cacheable RAM line of a page the CPU touched
 * recently (the last {@link WriteBackCache#RECENT_PAGES} distinct pages). A line software
 * invalidated before a DMA may so hold old data again after it, which is why arm64 invalidates
 * after DMA as well as before (Arm ARM: speculative accesses to Normal memory may allocate lines).
 *
 * <p>Draws from its random source only when the rate is not 0, so a machine without injection
 * consumes no randomness. Not thread-safe: only the CPU thread runs it.
 */
final class SpeculativeRefiller {

    private final double rate;
    private final SplittableRandom random;
    private final PhysicalMemory memory;
    private final CacheLines lines;
    private final MemoryTypeRanges types;
    private final Observers observers;
    private final long[] recentPages = new long[WriteBackCache.RECENT_PAGES];
    private int recentCount;
    private int recentNext;
    private long refills;

    SpeculativeRefiller(double rate, SplittableRandom random, PhysicalMemory memory, CacheLines lines,
                        MemoryTypeRanges types, Observers observers) {
        this.rate = rate;
        this.random = random;
        this.memory = memory;
        this.lines = lines;
        this.types = types;
        this.observers = observers;
    }

    /** Whether the injector ever refills (rate above 0). */
    boolean active() {
        return rate != 0;
    }

    long refills() {
        return refills;
    }

    /** Remembers the page of a CPU access and, with the configured probability, refills a line. */
    void afterAccess(long p) {
        if (rate == 0) {
            return;
        }
        long page = p & -WriteBackCache.PAGE_SIZE;
        int last = (recentNext + WriteBackCache.RECENT_PAGES - 1) % WriteBackCache.RECENT_PAGES;
        if (recentCount == 0 || recentPages[last] != page) {
            boolean known = false;
            for (int i = 0; i < recentCount; i++) {
                known |= recentPages[i] == page;
            }
            if (!known) {
                recentPages[recentNext] = page;
                recentNext = (recentNext + 1) % WriteBackCache.RECENT_PAGES;
                recentCount = Math.min(recentCount + 1, WriteBackCache.RECENT_PAGES);
            }
        }
        if (random.nextDouble() < rate) {
            refill();
        }
    }

    /**
     * Refills one absent, cacheable RAM line of a random recently touched page, starting the
     * search at a random line of that page. Does nothing when every line of that page is present.
     */
    private void refill() {
        long page = recentPages[random.nextInt(recentCount)];
        int linesPerPage = WriteBackCache.PAGE_SIZE / lines.lineSize;
        int first = random.nextInt(linesPerPage);
        for (int i = 0; i < linesPerPage; i++) {
            long line = page + (long) ((first + i) % linesPerPage) * lines.lineSize;
            if (memory.ramAt(line) == null || types.typeAt(line) != MemoryType.WRITE_BACK || lines.lookup(line) >= 0) {
                continue;
            }
            lines.allocate(line, true);
            refills++;
            for (CacheObserver o : observers.get()) {
                o.speculativeRefill(line);
            }
            return;
        }
    }
}
