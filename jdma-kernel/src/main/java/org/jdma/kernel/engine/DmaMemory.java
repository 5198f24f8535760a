package org.jdma.kernel.engine;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.kernel.mm.FrameAllocator;
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

    /** A zeroed buffer a 64-bit device can reach. See {@link #allocate(long, long, DmaMask)}. */
    public DmaBuffer allocate(long size, long align) {
        return allocate(size, align, DmaMask.BITS_64);
    }

    /**
     * Allocates a physically contiguous, zeroed buffer of {@code size} bytes whose physical address
     * is a multiple of {@code align} and lies, whole, inside {@code mask}.
     *
     * <p>Frames come in power-of-two blocks aligned to their size, so an alignment above 4096 is
     * honoured by allocating a block at least {@code align} bytes large. A size of 0 still takes one
     * frame (the buffer has a real, unique address and {@link DmaBuffer#isEmpty()} is true).
     *
     * @throws IllegalArgumentException when size is negative, align is not a power of two, or the
     *         block would exceed the allocator's largest order
     * @throws org.jdma.kernel.mm.OutOfFramesException when no block is free in the mask's zone (a
     *         retry can succeed after frees)
     */
    public DmaBuffer allocate(long size, long align, DmaMask mask) {
        Objects.requireNonNull(mask, "mask");
        if (size < 0) {
            throw new IllegalArgumentException("DMA buffer size must not be negative, was " + size);
        }
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("DMA buffer alignment must be a non-zero power of two, was " + align);
        }
        int sizeOrder = FrameAllocator.orderFor(Math.max(size, 1));
        int alignOrder = align <= FrameAllocator.FRAME_SIZE ? 0 : Long.numberOfTrailingZeros(align) - FrameAllocator.FRAME_SHIFT;
        int order = Math.max(sizeOrder, alignOrder);
        if (order > frames.maxOrder()) {
            throw new IllegalArgumentException(String.format(
                    "DMA buffer of %d bytes aligned to %d needs a block of order %d; the allocator's largest is %d",
                    size, align, order, frames.maxOrder()));
        }
        long phys = frames.allocate(order, mask.zone());
        long blockBytes = (long) FrameAllocator.FRAME_SIZE << order;
        if (!mask.covers(phys, blockBytes) || phys % align != 0) {
            frames.free(phys, order);
            throw new IllegalStateException(String.format(
                    "frame allocator returned [%#x, +%#x) for zone %s, outside the %d-bit mask or not aligned to %d",
                    phys, blockBytes, mask.zone(), mask.bits(), align));
        }
        // Zero the whole block, not just size: nothing a previous owner left may reach a device.
        cpu.fill(phys, blockBytes, (byte) 0);
        return new DmaBuffer(this, phys, size, order, align, mask);
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
