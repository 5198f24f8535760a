package org.jdma.kernel.compat.dmaapi;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.OutOfFramesException;
import org.jdma.platform.Cpu;

/**
 * The {@code dma-api} crate's reference platform: a {@link DmaOp} that keeps the CPU cache right
 * and bounces by itself, with the crate's flushes and invalidates (the defaults of
 * {@link DmaOp#prepareRead} and {@link DmaOp#confirmWrite}, so a {@link RecordingDmaOp} over it sees
 * every cache operation the containers cause). Device addresses come from the kernel's DMA API
 * ({@link DeviceDmaApi}, mapped with {@link DmaAttr#SKIP_CPU_SYNC}: the op syncs, the DMA API only
 * says where the device reaches the memory: physical plus the platform's bus offset, or an IOVA).
 *
 * <ul>
 *   <li>A streaming mapping uses the original memory when its device address is inside the mask
 *       and aligned; otherwise, or always with {@code forceBounce}, a bounce buffer of fresh
 *       frames inside the mask, filled with the original's bytes at map time (as Linux's swiotlb)
 *       and freed at unmap; the syncs then move data between the two.</li>
 *   <li>Coherent memory is ordinary cached frames mapped for the device (Linux
 *       {@code dma_alloc_noncoherent}), as in the crate's reference platform: the containers'
 *       per-access syncs keep CPU and device in step. {@link DmaApiDmaOp} gives real, uncached
 *       coherent memory instead.</li>
 * </ul>
 *
 * <p>While a mapping of a {@link DmaBuffer} is live, closing that buffer fails (a
 * {@link org.jdma.kernel.mm.DmaUseTracker} registered with the memory reports the mapping).
 * Thread-safe.
 */
public final class DirectDmaOp implements DmaOp {

    private static final Set<DmaAttr> SKIP_SYNC = Set.of(DmaAttr.SKIP_CPU_SYNC);

    /** What the op mapped through the DMA API for one handle: the device's view of it, and its bounce buffer. */
    private record Live(long dmaAddress, long size, DmaDirection direction, DmaBuffer bounce, DmaBuffer coherent) { }

    private final DeviceDmaApi dma;
    private final DmaMemory memory;
    private final boolean forceBounce;
    /** Live handles and what each holds; equal handles (the same buffer mapped twice alike) queue up. */
    private final Map<DmaHandle, ArrayDeque<Live>> live = new HashMap<>();
    private final Map<Long, DmaBuffer> bounces = new ConcurrentHashMap<>();

    /** An op over {@code dma} (its device's streaming mask becomes 64 bits: the op checks each call's mask itself). */
    public DirectDmaOp(DeviceDmaApi dma, DmaMemory memory) {
        this(dma, memory, false);
    }

    /**
     * @param forceBounce bounce every streaming mapping (Linux {@code swiotlb=force}; untrusted devices)
     */
    public DirectDmaOp(DeviceDmaApi dma, DmaMemory memory, boolean forceBounce) {
        this.dma = Objects.requireNonNull(dma, "dma");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.forceBounce = forceBounce;
        if (!dma.setMask(DmaMask.BITS_64)) {
            throw new IllegalStateException(dma.device() + ": the platform refuses a 64-bit DMA mask");
        }
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
    public DmaHandle.Mapped mapSingle(DmaMask dmaMask, long addr, long size, long align, DmaDirection direction) {
        DmaDirection.requireMappable(direction);
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size must be positive, was " + size);
        }
        DmaLayout layout = new DmaLayout(size, align);
        if (!forceBounce) {
            long d = deviceAddress(addr, size, direction);
            if (dmaMask.covers(d, size) && (d & (align - 1)) == 0) {
                DmaHandle.Mapped h = new DmaHandle.Mapped(addr, DmaAddr.of(d), layout, direction, OptionalLong.empty());
                track(h, new Live(d, size, direction, null, null));
                return h;
            }
            dma.unmapSingle(d, size, direction, SKIP_SYNC);
        }
        DmaBuffer bounce = allocate(size, align, dmaMask)
                .orElseThrow(() -> new DmaException(new DmaError.NoMemory(String.format("a %d-byte bounce buffer for [%#x, +%#x)", size, addr, size))));
        // As Linux's swiotlb_tbl_map_single: the bounce copy starts as the original, whatever the
        // direction, so a sync for the CPU after a partial device write gives back the original's
        // other bytes, not zeros. Then clean+invalidate, so no dirty line of the copy can later be
        // evicted over what the device writes (the platform's part, not one of the crate's syncs).
        CpuCopy.copy(cpu(), addr, bounce.physicalAddress(), size);
        VarHandle.fullFence();
        cpu().cache().cleanInvalidate(bounce.physicalAddress(), size);
        VarHandle.fullFence();
        long d;
        try {
            d = deviceAddress(bounce.physicalAddress(), size, direction);
        } catch (DmaException e) {
            bounce.close();
            throw e;
        }
        // As the crate's platforms: the result need not be inside the mask; DmaContainers checks it.
        bounces.put(bounce.physicalAddress(), bounce);
        DmaHandle.Mapped h = new DmaHandle.Mapped(addr, DmaAddr.of(d), layout, direction, OptionalLong.of(bounce.physicalAddress()));
        track(h, new Live(d, size, direction, bounce, null));
        return h;
    }

    /** The DMA API's address for [phys, phys + size), with no cache maintenance (this op does its own). */
    private long deviceAddress(long phys, long size, DmaDirection direction) {
        long d = dma.mapSingle(phys, size, direction, SKIP_SYNC);
        if (dma.mappingError(d)) {
            throw new DmaException(new DmaError.NoMemory(String.format("a device address for [%#x, +%#x)", phys, size)));
        }
        return d;
    }

    @Override
    public void unmapSingle(DmaHandle.Mapped handle) {
        Live l = untrack(handle);
        if (l == null) {
            throw new IllegalArgumentException("unmap of " + handle.dmaAddr() + ": not a live mapping of this DmaOp");
        }
        dma.unmapSingle(l.dmaAddress(), l.size(), l.direction(), SKIP_SYNC);
        if (l.bounce() != null) {
            bounces.remove(l.bounce().physicalAddress());
            l.bounce().close();
        }
    }

    @Override
    public Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout) {
        Optional<DmaBuffer> b = allocate(layout.size(), layout.align(), dmaMask);
        if (b.isEmpty()) {
            return Optional.empty();
        }
        long size = Math.max(layout.size(), 1);
        long d;
        try {
            d = deviceAddress(b.get().physicalAddress(), size, DmaDirection.BIDIRECTIONAL);
        } catch (DmaException e) {
            b.get().close();
            return Optional.empty();
        }
        DmaHandle.Coherent h = new DmaHandle.Coherent(b.get().physicalAddress(), DmaAddr.of(d), layout);
        track(h, new Live(d, size, DmaDirection.BIDIRECTIONAL, null, b.get()));
        return Optional.of(h);
    }

    @Override
    public void deallocCoherent(DmaHandle.Coherent handle) {
        Live l = untrack(handle);
        if (l == null) {
            throw new IllegalArgumentException(String.format("free of coherent memory at %#x: not allocated by this DmaOp (or freed twice)", handle.cpuAddr()));
        }
        dma.unmapSingle(l.dmaAddress(), l.size(), DmaDirection.BIDIRECTIONAL, SKIP_SYNC);
        l.coherent().close();
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
    public synchronized int liveCoherent() {
        return (int) live.entrySet().stream().filter(e -> e.getKey() instanceof DmaHandle.Coherent).mapToLong(e -> e.getValue().size()).sum();
    }

    /** Streaming mappings not yet unmapped. */
    public synchronized int liveMappings() {
        return (int) live.entrySet().stream().filter(e -> e.getKey() instanceof DmaHandle.Mapped).mapToLong(e -> e.getValue().size()).sum();
    }

    /** Bounce buffers in use. */
    public int liveBounceBuffers() {
        return bounces.size();
    }

    /** The DMA API the op's device addresses come from. */
    public DeviceDmaApi dma() {
        return dma;
    }

    private synchronized void track(DmaHandle h, Live l) {
        live.computeIfAbsent(h, k -> new ArrayDeque<>()).add(l);
    }

    private synchronized Live untrack(DmaHandle h) {
        ArrayDeque<Live> q = live.get(h);
        if (q == null) {
            return null;
        }
        Live l = q.poll();
        if (q.isEmpty()) {
            live.remove(h);
        }
        return l;
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
     * The physical reach the op asks of the frame allocator for a mask: the mask itself (a bus
     * offset is checked on the device address afterwards). A reach below 16 MiB is asked of zone
     * DMA anyway (there is no lower zone); {@link DmaContainers}'s check reports the miss.
     */
    private static long physicalLimit(DmaMask dmaMask) {
        long limit = dmaMask.value();
        return Long.compareUnsigned(limit, DmaMemory.LIMIT_16MIB) < 0 ? DmaMemory.LIMIT_16MIB : limit;
    }

    private synchronized Optional<String> useOf(long address, long length) {
        for (DmaHandle h : live.keySet()) {
            if (h instanceof DmaHandle.Mapped m) {
                long a = m.cpuAddr();
                if (Long.compareUnsigned(address, a + m.size()) < 0 && Long.compareUnsigned(a, address + length) < 0) {
                    return Optional.of(String.format("mapped for DMA at %s by %s", m.dmaAddr(), this));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "DirectDmaOp[" + dma.device() + (forceBounce ? ", forceBounce" : "") + "]";
    }
}
