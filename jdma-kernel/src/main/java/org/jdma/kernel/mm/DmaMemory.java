package org.jdma.kernel.mm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.platform.Cpu;

/**
 * Where DMA buffers come from: contiguous frames from a {@link FrameAllocator}, reached by the CPU
 * through {@link Cpu} loads and stores. Keeps the {@link DmaUseTracker}s that a buffer consults
 * before it frees its frames.
 */
public final class DmaMemory {

    private final Cpu cpu;
    private final FrameAllocator frames;
    private final List<DmaUseTracker> trackers = new CopyOnWriteArrayList<>();

    public DmaMemory(Cpu cpu, FrameAllocator frames) {
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        this.frames = Objects.requireNonNull(frames, "frames");
    }

    public Cpu cpu() {
        return cpu;
    }

    public FrameAllocator frames() {
        return frames;
    }

    /** No limit: any frame will do (a device that drives all 64 address bits). */
    public static final long NO_LIMIT = -1L;
    /** The last byte below 4 GiB: what a device that drives 32 address bits can reach. */
    public static final long LIMIT_4GIB = 0xFFFF_FFFFL;

    /** A zeroed buffer anywhere in RAM. See {@link #allocate(long, long, long)}. */
    public DmaBuffer allocate(long size, long align) {
        return allocate(size, align, NO_LIMIT);
    }

    /**
     * Allocates a physically contiguous, zeroed buffer of {@code size} bytes whose physical address
     * is a multiple of {@code align} and whose block lies, whole, at or below
     * {@code physicalLimit} (unsigned; {@link #NO_LIMIT} for anywhere).
     *
     * <p>The limit picks the zone (Linux {@code dma_direct_optimal_gfp_mask}): {@link #NO_LIMIT}
     * takes NORMAL frames (falling back to DMA32), any other limit from 4 GiB - 1 up takes DMA32
     * frames, which every such limit covers. A limit below 4 GiB - 1 is refused: there is no zone
     * for it yet.
     *
     * <p>Frames come in power-of-two blocks aligned to their size, so an alignment above 4096 is
     * honoured by allocating a block at least {@code align} bytes large. A size of 0 still takes one
     * frame (the buffer has a real, unique address and {@link DmaBuffer#isEmpty()} is true).
     *
     * @throws IllegalArgumentException when size is negative, align is not a power of two, the
     *         limit is below 4 GiB - 1, or the block would exceed the allocator's largest order
     * @throws OutOfFramesException when no block is free in the zone (a retry can succeed after frees)
     */
    public DmaBuffer allocate(long size, long align, long physicalLimit) {
        if (size < 0) {
            throw new IllegalArgumentException("DMA buffer size must not be negative, was " + size);
        }
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("DMA buffer alignment must be a non-zero power of two, was " + align);
        }
        Zone zone = zoneFor(physicalLimit);
        int sizeOrder = FrameAllocator.orderFor(Math.max(size, 1));
        int alignOrder = align <= FrameAllocator.FRAME_SIZE ? 0 : Long.numberOfTrailingZeros(align) - FrameAllocator.FRAME_SHIFT;
        int order = Math.max(sizeOrder, alignOrder);
        if (order > frames.maxOrder()) {
            throw new IllegalArgumentException(String.format(
                    "DMA buffer of %d bytes aligned to %d needs a block of order %d; the allocator's largest is %d",
                    size, align, order, frames.maxOrder()));
        }
        long phys = frames.allocate(order, zone);
        long blockBytes = (long) FrameAllocator.FRAME_SIZE << order;
        long last = phys + blockBytes - 1;
        if (Long.compareUnsigned(last, physicalLimit) > 0 || phys % align != 0) {
            frames.free(phys, order);
            throw new IllegalStateException(String.format(
                    "frame allocator returned [%#x, +%#x) for zone %s, beyond the limit %#x or not aligned to %d",
                    phys, blockBytes, zone, physicalLimit, align));
        }
        // Zero the whole block, not just size: nothing a previous owner left may reach a device.
        cpu.fill(phys, blockBytes, (byte) 0);
        return new DmaBuffer(this, phys, size, order, align, physicalLimit);
    }

    /** The zone whose every frame lies at or below {@code physicalLimit}. */
    private static Zone zoneFor(long physicalLimit) {
        if (physicalLimit == NO_LIMIT) {
            return Zone.NORMAL;
        }
        if (Long.compareUnsigned(physicalLimit, LIMIT_4GIB) >= 0) {
            return Zone.DMA32;
        }
        throw new IllegalArgumentException(String.format(
                "no zone lies below the physical limit %#x (the lowest, DMA32, reaches 4 GiB)", physicalLimit));
    }

    public void addUseTracker(DmaUseTracker tracker) {
        trackers.add(Objects.requireNonNull(tracker, "tracker"));
    }

    public void removeUseTracker(DmaUseTracker tracker) {
        trackers.remove(tracker);
    }

    /** The first use any tracker reports of physical [address, address + length), or empty. */
    Optional<String> useOf(long address, long length) {
        for (DmaUseTracker t : trackers) {
            Optional<String> use = t.useOf(address, length);
            if (use.isPresent()) {
                return use;
            }
        }
        return Optional.empty();
    }
}
