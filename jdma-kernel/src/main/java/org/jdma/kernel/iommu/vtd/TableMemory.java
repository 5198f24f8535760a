package org.jdma.kernel.iommu.vtd;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.MemoryInUseException;
import org.jdma.kernel.mm.Zone;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryType;

/**
 * The memory that holds a remapping unit's in-memory structures (root and context tables, page
 * tables, the invalidation queue): zeroed 4 KiB frames, written through the CPU path. When the
 * unit's walks do not snoop the CPU cache (ECAP.C = 0), every write is followed by a clean of the
 * written line, so the unit reads what the kernel wrote (Linux {@code domain_flush_cache} /
 * {@code clflush_cache_range}).
 */
public final class TableMemory {

    private final Cpu cpu;
    private final FrameAllocator frames;
    private final boolean coherentWalk;
    /**
     * Every domain on the unit allocates and frees here, each under its own lock only, from
     * whichever CPU maps: the count and the waiting frees are shared, so they are atomic.
     */
    private final AtomicLong pagesInUse = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> refused = new ConcurrentLinkedQueue<>();

    /**
     * @param coherentWalk ECAP.C: the unit snoops the CPU cache; when false, writes are cleaned
     */
    public TableMemory(Cpu cpu, FrameAllocator frames, boolean coherentWalk) {
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.frames = Objects.requireNonNull(frames, "frames");
        this.coherentWalk = coherentWalk;
    }

    public Cpu cpu() {
        return cpu;
    }

    public boolean coherentWalk() {
        return coherentWalk;
    }

    /** A zeroed 4 KiB frame (NORMAL zone, falling back to DMA32), already visible to the unit. */
    public long allocatePage() {
        retryRefusedFrees();
        long page = frames.allocateForKernel(0, Zone.NORMAL);
        cpu.fill(page, FrameAllocator.FRAME_SIZE, (byte) 0);
        cleanIfNeeded(page, FrameAllocator.FRAME_SIZE);
        pagesInUse.incrementAndGet();
        return page;
    }

    /** 2^{@code order} zeroed, contiguous 4 KiB frames (NORMAL zone, falling back to DMA32), visible to the unit. */
    public long allocatePages(int order) {
        long bytes = (long) FrameAllocator.FRAME_SIZE << order;
        long first = frames.allocateForKernel(order, Zone.NORMAL);
        cpu.fill(first, bytes, (byte) 0);
        cleanIfNeeded(first, bytes);
        pagesInUse.addAndGet(1L << order);
        return first;
    }

    /** Returns frames from {@link #allocatePages}. The caller must know the unit no longer reads them. */
    public void freePages(long first, int order) {
        frames.free(first, order);
        pagesInUse.addAndGet(-(1L << order));
    }

    /**
     * A zeroed 4 KiB frame that the CPU and the unit share both ways (see the class comment):
     * UNCACHED when the CPU cache is not coherent with DMA. Free it with {@link #freeShared}.
     */
    public long allocateShared() {
        long page = frames.allocateForKernel(0, Zone.NORMAL);
        if (!cpu.cache().coherent()) {
            // Cleans and drops whatever lines the frame's last user left, then bypasses the cache.
            cpu.cache().memoryType(page, FrameAllocator.FRAME_SIZE, MemoryType.UNCACHED);
        }
        cpu.fill(page, FrameAllocator.FRAME_SIZE, (byte) 0);
        pagesInUse.incrementAndGet();
        return page;
    }

    /** Returns a frame from {@link #allocateShared()}, cacheable again. The unit must no longer use it. */
    public void freeShared(long page) {
        if (!cpu.cache().coherent()) {
            cpu.cache().memoryType(page, FrameAllocator.FRAME_SIZE, MemoryType.WRITE_BACK);
        }
        freePage(page);
    }

    /**
     * Returns a frame from {@link #allocatePage()}. The caller must know the unit no longer walks it.
     *
     * <p>The frame allocator refuses a frame that a live DMA mapping still covers: the mapping layer
     * refuses to map table frames, but a mapping made outside it (an IOMMU driver that programs a
     * domain itself and records the mapping) can cover them. Freed now, the frame could be handed
     * to someone else while that device can still write it. Such a page
     * waits, still counted in use, and every later table operation on this unit (allocate or free)
     * tries it again; it goes back once the covering mapping is gone. Throwing instead would leave
     * the unmap that freed the table half done (its IOVA never freed).
     */
    public void freePage(long page) {
        retryRefusedFrees();
        release(page);
    }

    /** Table pages whose free the frame allocator refused so far (see {@link #freePage}), waiting. */
    public int refusedFrees() {
        return refused.size();
    }

    /** Frees the waiting pages whose covering mapping is gone; the rest keep waiting. */
    public void retryRefusedFrees() {
        if (refused.isEmpty()) {
            return;
        }
        // Each page waiting now is tried once; a page refused again goes to the back.
        for (int n = refused.size(); n > 0; n--) {
            Long page = refused.poll();
            if (page == null) {
                return; // another CPU took the rest
            }
            release(page);
        }
    }

    private void release(long page) {
        try {
            frames.free(page, 0);
            pagesInUse.decrementAndGet();
        } catch (MemoryInUseException stillMapped) {
            refused.add(page);
        }
    }

    /** Frames currently held for tables. */
    public long pagesInUse() {
        return pagesInUse.get();
    }

    public long read64(long address) {
        return cpu.read64(address);
    }

    /** Stores a 64-bit entry and, for a non-coherent walk, cleans its line. */
    public void write64(long address, long value) {
        cpu.write64(address, value);
        cleanIfNeeded(address, Long.BYTES);
    }

    /**
     * Installs a 64-bit entry only if the slot still holds {@code expected} (see
     * {@link Cpu#compareAndExchange64}) and, for a non-coherent walk, cleans its line. Returns the
     * value found.
     */
    public long compareAndExchange64(long address, long expected, long value) {
        long found = cpu.compareAndExchange64(address, expected, value);
        if (found == expected) {
            cleanIfNeeded(address, Long.BYTES);
        }
        return found;
    }

    /** Stores a 128-bit entry, upper half first, so the lower half (with its present bit) lands last. */
    public void write128(long address, long lo, long hi) {
        cpu.write64(address + Long.BYTES, hi);
        cpu.write64(address, lo);
        cleanIfNeeded(address, 2 * Long.BYTES);
    }

    private void cleanIfNeeded(long address, long length) {
        if (!coherentWalk) {
            cpu.cache().clean(address, length);
        }
    }
}
