package org.jdma.kernel.dma;

import java.util.function.Consumer;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.platform.Cpu;

/**
 * The mapping layer's bounce-buffer pool, allocated the first time a mapping needs it. Linux
 * allocates its swiotlb at boot ({@code swiotlb_init}); here the kernel builds its DMA API at boot
 * too, but the 64 MiB of frames below 4 GiB are taken only when a device first needs a bounce (a
 * buffer beyond its mask, {@code swiotlb=force}, an untrusted device's sub-page mapping), so a
 * machine that never bounces never pays for them. Until then {@link #contains} is false for every
 * address, which keeps the unmap and sync paths of non-bounced mappings free of any pool work.
 *
 * <p>Thread-safe: the first {@link #get()} allocates once, under this object's lock.
 */
final class BouncePool {

    private final Cpu cpu;
    private final FrameAllocator frames;
    private final MappingOptions options;
    private final Consumer<String> warnings;
    private volatile Swiotlb pool;

    BouncePool(Cpu cpu, FrameAllocator frames, MappingOptions options, Consumer<String> warnings) {
        this.cpu = cpu;
        this.frames = frames;
        this.options = options;
        this.warnings = warnings;
    }

    /** The pool, allocating it now if this is the first use (inactive when its size is 0 or no memory was free). */
    Swiotlb get() {
        Swiotlb p = pool;
        if (p == null) {
            synchronized (this) {
                p = pool;
                if (p == null) {
                    p = Swiotlb.allocate(cpu, frames, options.swiotlbBytes(), options.swiotlbAreas(), warnings);
                    pool = p;
                }
            }
        }
        return p;
    }

    /** Whether {@code phys} is a bounce slot; false, without allocating, while there is no pool yet. */
    boolean contains(long phys) {
        Swiotlb p = pool;
        return p != null && p.contains(phys);
    }

    /** Whether bouncing is configured at all (a pool of more than 0 bytes will be tried). */
    boolean configured() {
        return options.swiotlbBytes() > 0;
    }
}
