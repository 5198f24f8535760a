package org.jdma.kernel.dma;

import java.util.function.Consumer;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.OutOfFramesException;
import org.jdma.kernel.mm.Zone;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryType;

/** What every backend shares: the CPU (copies, zeroing), cache maintenance, frames, the bounce pool, warnings. */
record LayerContext(Cpu cpu, CacheSync sync, FrameAllocator frames, BouncePool bounce, Consumer<String> warnings) {

    void warn(DmaDevice device, String message) {
        warnings.accept(device.name() + ": " + message);
    }

    /** The bounce pool, allocated on first use. */
    Swiotlb swiotlb() {
        return bounce.get();
    }

    /** Whether {@code phys} lies in the bounce pool (false while no pool was allocated). */
    boolean bounced(long phys) {
        return bounce.contains(phys);
    }

    /** Frames for a coherent allocation, or -1 when the zone has no block that large. */
    long allocateFrames(int order, Zone zone) {
        if (order > frames.maxOrder()) {
            return -1; // larger than any block: Linux returns NULL too
        }
        try {
            return frames.allocate(order, zone);
        } catch (OutOfFramesException e) {
            return -1;
        }
    }

    /**
     * Zeroes a coherent block and, on a non-coherent machine, makes it uncached (arm64 maps
     * {@code dma_alloc_coherent} memory Normal-NC after {@code arch_dma_prep_coherent} cleaned
     * and invalidated it; the memory-type change does both, so the zeros reach memory).
     */
    void prepareCoherent(long phys, long bytes) {
        cpu.fill(phys, bytes, (byte) 0);
        if (!sync.coherent()) {
            sync.cache().memoryType(phys, bytes, MemoryType.UNCACHED);
        }
    }

    void releaseCoherent(long phys, int order) {
        if (!sync.coherent()) {
            sync.cache().memoryType(phys, (long) FrameAllocator.FRAME_SIZE << order, MemoryType.WRITE_BACK);
        }
        frames.free(phys, order);
    }
}
