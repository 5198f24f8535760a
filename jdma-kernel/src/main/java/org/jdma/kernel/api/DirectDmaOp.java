package org.jdma.kernel.api;

import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.OutOfFramesException;
import org.jdma.platform.Cpu;

/**
 * A {@link DmaOp} straight over the kernel's {@link DmaMemory}, with no mapping layer: Linux's
 * dma-direct plus a swiotlb-like bounce, in one small class. Device address = physical address +
 * {@code busOffset} (0 by default; an offset makes device and CPU addresses differ, as on SoCs
 * whose bus sees RAM elsewhere, Linux {@code dma_range_map}).
 *
 * <p>Coherent memory comes from frames in the zone the mask needs (DMA32 for masks below 64 bits;
 * a mask below 32 bits cannot be served by any zone, and {@link DeviceDma}'s check reports the
 * miss). A streaming mapping uses the original memory when its device address is inside the mask
 * and aligned; otherwise, or always with {@code forceBounce}, it uses a bounce buffer of fresh
 * frames inside the mask, filled with the original's bytes at map time (as Linux's swiotlb) and freed
 * at unmap; the syncs then move data between the two. Cache maintenance goes to the machine's CPU cache
 * by physical range, with the barriers seed 004 puts around it.
 *
 * <p>Coherent allocations are ordinary cached frames, as in seed 004's reference platform: the
 * containers' per-access syncs keep CPU and device in step. On a non-coherent machine, bytes a
 * driver touches outside the containers need their own syncs; the mapping layer's
 * {@code allocCoherent} (through {@link DmaApiDmaOp}) maps memory uncached instead.
 *
 * <p>While a mapping of a {@link DmaBuffer} is live, closing that buffer fails (a
 * {@link org.jdma.kernel.mm.DmaUseTracker} registered with the memory reports the mapping).
 * Thread-safe.
 */
public final class DirectDmaOp implements DmaOp {

    private final DmaMemory memory;
    private final long busOffset;
    private final boolean forceBounce;
    private final Map<Long, DmaBuffer> coherent = new ConcurrentHashMap<>();
    private final Map<Long, DmaBuffer> bounces = new ConcurrentHashMap<>();
    /** Live mappings and how many times each is mapped: the same buffer may be mapped twice alike. */
    private final Map<DmaHandle.Mapped, Integer> mappings = new ConcurrentHashMap<>();

    public DirectDmaOp(DmaMemory memory) {
        this(memory, 0, false);
    }

    /**
     * @param busOffset   added to a physical address to give the device address
     * @param forceBounce bounce every streaming mapping (Linux {@code swiotlb=force}; untrusted devices)
     */
    public DirectDmaOp(DmaMemory memory, long busOffset, boolean forceBounce) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.busOffset = busOffset;
        this.forceBounce = forceBounce;
        memory.addUseTracker(this::useOf);
    }

    @Override
    public int pageSize() {
        return FrameAllocator.FRAME_SIZE;
    }

    @Override
    public Cpu cpu() {
        return memory.cpu();
    }

    @Override
    public DmaHandle.Mapped mapSingle(DmaMask dmaMask, long addr, long size, long align, DmaDirection direction) throws DmaException {
        DmaDirection.requireMappable(direction);
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size must be positive, was " + size);
        }
        DmaLayout layout = new DmaLayout(size, align);
        long dma = addr + busOffset;
        DmaHandle.Mapped handle;
        if (!forceBounce && dmaMask.covers(dma, size) && (dma & (align - 1)) == 0) {
            handle = new DmaHandle.Mapped(addr, DmaAddr.of(dma), layout, direction, OptionalLong.empty());
        } else {
            DmaBuffer bounce = allocate(size, align, dmaMask)
                    .orElseThrow(() -> new DmaException(new DmaError.NoMemory(String.format("a %d-byte bounce buffer for [%#x, +%#x)", size, addr, size))));
            bounces.put(bounce.physicalAddress(), bounce);
            // As Linux's swiotlb_tbl_map_single: the bounce copy starts as the original, whatever the
            // direction, so a sync for the CPU after a partial device write gives back the original's
            // other bytes, not zeros. Then clean+invalidate, so no dirty line of the copy can later be
            // evicted over what the device writes (the platform's part, not one of the seed's syncs).
            CpuCopy.copy(cpu(), addr, bounce.physicalAddress(), size);
            VarHandle.fullFence();
            cpu().cache().cleanInvalidate(bounce.physicalAddress(), size);
            VarHandle.fullFence();
            handle = new DmaHandle.Mapped(addr, DmaAddr.of(bounce.physicalAddress() + busOffset), layout, direction,
                    OptionalLong.of(bounce.physicalAddress()));
        }
        mappings.merge(handle, 1, Integer::sum);
        return handle;
    }

    @Override
    public void unmapSingle(DmaHandle.Mapped handle) {
        boolean[] live = {false};
        mappings.computeIfPresent(handle, (h, n) -> {
            live[0] = true;
            return n == 1 ? null : n - 1;
        });
        if (!live[0]) {
            throw new IllegalArgumentException("unmap of " + handle.dmaAddr() + ": not a live mapping of this DmaOp");
        }
        handle.bounceCpuAddr().ifPresent(b -> bounces.remove(b).close());
    }

    @Override
    public Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout) {
        return allocate(layout.size(), layout.align(), dmaMask).map(b -> {
            coherent.put(b.physicalAddress(), b);
            return new DmaHandle.Coherent(b.physicalAddress(), DmaAddr.of(b.physicalAddress() + busOffset), layout);
        });
    }

    @Override
    public void deallocCoherent(DmaHandle.Coherent handle) {
        DmaBuffer b = coherent.remove(handle.cpuAddr());
        if (b == null) {
            throw new IllegalArgumentException(String.format("free of coherent memory at %#x: not allocated by this DmaOp (or freed twice)", handle.cpuAddr()));
        }
        b.close();
    }

    @Override
    public void flush(long addr, long size) {
        VarHandle.fullFence();
        cpu().cache().clean(addr, size);
    }

    @Override
    public void invalidate(long addr, long size) {
        cpu().cache().invalidate(addr, size);
        VarHandle.fullFence();
    }

    @Override
    public void flushInvalidate(long addr, long size) {
        VarHandle.fullFence();
        cpu().cache().cleanInvalidate(addr, size);
        VarHandle.fullFence();
    }

    /** Coherent allocations not yet freed. */
    public int liveCoherent() {
        return coherent.size();
    }

    /** Streaming mappings not yet unmapped. */
    public int liveMappings() {
        return mappings.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Bounce buffers in use. */
    public int liveBounceBuffers() {
        return bounces.size();
    }

    /** Frames inside the mask (as far as a zone can promise), or empty when none are free. */
    private Optional<DmaBuffer> allocate(long size, long align, DmaMask dmaMask) {
        try {
            return Optional.of(memory.allocate(size, align, physicalLimit(dmaMask)));
        } catch (OutOfFramesException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            // Larger than the allocator's largest block: as good as no memory for this request.
            return Optional.empty();
        }
    }

    /**
     * The physical reach of a device mask once the bus offset is taken off. A reach below 4 GiB is
     * asked of DMA32 anyway (there is no lower zone); {@link DeviceDma}'s check reports the miss.
     */
    private long physicalLimit(DmaMask dmaMask) {
        long mask = dmaMask.value();
        long limit = Long.compareUnsigned(mask, busOffset) >= 0 ? mask - busOffset : 0;
        return Long.compareUnsigned(limit, DmaMemory.LIMIT_4GIB) < 0 ? DmaMemory.LIMIT_4GIB : limit;
    }

    private Optional<String> useOf(long address, long length) {
        for (DmaHandle.Mapped m : mappings.keySet()) {
            long a = m.cpuAddr();
            if (Long.compareUnsigned(address, a + m.size()) < 0 && Long.compareUnsigned(a, address + length) < 0) {
                return Optional.of(String.format("mapped for DMA at %s by %s", m.dmaAddr(), this));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.format("DirectDmaOp[busOffset=%#x%s]", busOffset, forceBounce ? ", forceBounce" : "");
    }
}
