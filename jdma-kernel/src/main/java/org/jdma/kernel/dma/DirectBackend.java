package org.jdma.kernel.dma;

import java.util.Optional;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.Zone;

/**
 * Direct DMA (Linux {@code kernel/dma/direct.c}): the bus address is the physical address plus
 * the platform's bus offset. A buffer the device's mask does not cover is bounced through the
 * swiotlb ({@code dma_direct_map_phys} → {@code swiotlb_map}), as is every buffer when bouncing
 * is forced. Scatterlists are mapped entry by entry and never merged ({@code dma_direct_map_sg}).
 * Coherent memory comes from the zone the coherent mask needs ({@code dma_direct_alloc}).
 *
 * <p>As in Linux, a mapping that is not bounced leaves no state behind: map is an addition, a
 * mask check and (on a non-coherent machine) a clean; unmap is the for-CPU sync of the range the
 * caller names. Only bounced mappings are recorded, because they hold swiotlb slots that an unmap
 * or a detach must give back. That keeps the common path free of locks and allocations.
 */
final class DirectBackend implements Backend {

    private final LayerContext ctx;
    private final long busOffset;
    private final boolean forceBounce;
    private final long ramEnd;

    DirectBackend(LayerContext ctx, long busOffset, boolean forceBounce, long ramEnd) {
        this.ctx = ctx;
        this.busOffset = busOffset;
        this.forceBounce = forceBounce;
        this.ramEnd = ramEnd;
    }

    @Override
    public String name() {
        return forceBounce ? "direct (swiotlb=force)" : "direct";
    }

    long busOffset() {
        return busOffset;
    }

    /**
     * Linux {@code dma_direct_supported}: every mask of 32 bits or more works (DMA32 and the
     * bounce pool lie below 4 GiB); a smaller one when it reaches the top of zone DMA (16 MiB - 1:
     * Linux's {@code zone_dma_limit}, 24 bits on x86) or the last page of RAM, whichever is lower,
     * so that coherent memory can always come from a zone wholly inside it. Masks are compared
     * with the bus offset added, as the device sees addresses.
     */
    @Override
    public Optional<String> maskRefusal(DeviceState st, DmaMask mask) {
        if (DmaMask.BITS_32.within(mask)) {
            return Optional.empty();
        }
        long lastPage = ramEnd - FrameAllocator.FRAME_SIZE;
        long minMask = Long.compareUnsigned(lastPage, DmaMemory.LIMIT_16MIB) < 0 ? lastPage : DmaMemory.LIMIT_16MIB;
        if (Long.compareUnsigned(mask.value(), minMask + busOffset) >= 0) {
            return Optional.empty();
        }
        return Optional.of(String.format("direct DMA needs a mask of at least %#x: no zone lies wholly below %s "
                + "(the lowest, DMA, ends at 16 MiB)%s", minMask + busOffset, mask,
                busOffset == 0 ? "" : String.format(" with the bus offset %#x", busOffset)));
    }

    /** Linux {@code dma_addressing_limited}: the mask misses some RAM. */
    private boolean addressingLimited(DmaDevice device) {
        return !device.dmaMask().covers(busOffset, ramEnd);
    }

    @Override
    public long map(DeviceState st, long phys, long size, DmaDirection direction, boolean skipCpuSync) {
        long bus = phys + busOffset;
        if (forceBounce || !st.device.dmaMask().covers(bus, size)) {
            return bounce(st, phys, size, direction, skipCpuSync);
        }
        if (!skipCpuSync) {
            ctx.sync().forDevice(phys, size, direction);
        }
        return bus;
    }

    private long bounce(DeviceState st, long phys, long size, DmaDirection direction, boolean skipCpuSync) {
        Swiotlb tlb = ctx.swiotlb();
        if (!tlb.active()) {
            ctx.warn(st.device, String.format("DMA addr %#x+%d overflow (mask %s) and DMA bounce buffers are inactive",
                    phys + busOffset, size, st.device.dmaMask()));
            return DmaApi.DMA_MAPPING_ERROR;
        }
        long max = Swiotlb.maxMappingSize(st.device.minAlignMask());
        if (size > max) {
            ctx.warn(st.device, String.format("cannot bounce %d bytes at %#x: the largest bounce mapping is %d bytes", size, phys, max));
            return DmaApi.DMA_MAPPING_ERROR;
        }
        long slot = tlb.map(phys, size, 0, st.device.minAlignMask(), st.device.segmentBoundary(), busOffset);
        if (slot == Swiotlb.NO_SLOTS) {
            return DmaApi.DMA_MAPPING_ERROR;
        }
        long bus = slot + busOffset;
        if (!st.device.dmaMask().covers(bus, size)) {
            tlb.unmap(slot, false);
            ctx.warn(st.device, String.format("swiotlb addr %#x+%d overflow (mask %s)", bus, size, st.device.dmaMask()));
            return DmaApi.DMA_MAPPING_ERROR;
        }
        if (!skipCpuSync) {
            // Maintenance is for the bytes the device reads: the bounce copy, not the original.
            ctx.sync().forDevice(slot, size, direction);
        }
        st.add(new DeviceState.Single(bus, size, direction));
        return bus;
    }

    @Override
    public void unmap(DeviceState st, long dma, long size, DmaDirection direction, boolean skipCpuSync) {
        long phys = dma - busOffset;
        if (!ctx.bounced(phys)) {
            // Linux dma_direct_unmap_phys: nothing was recorded; the for-CPU sync is all there is.
            if (!skipCpuSync) {
                ctx.sync().forCpu(phys, size, direction);
            }
            return;
        }
        DeviceState.Live live = st.take(dma);
        if (!(live instanceof DeviceState.Single m)) {
            if (live != null) {
                st.add(live);
            }
            return; // no bounce mapping of this device starts there: nothing of ours to give back
        }
        if (!skipCpuSync) {
            ctx.sync().forCpu(phys, m.size(), m.direction());
        }
        ctx.swiotlb().unmap(phys, !skipCpuSync && m.direction().deviceWrites());
    }

    @Override
    public void release(DeviceState st, DeviceState.Live live) {
        if (live instanceof DeviceState.Single m && ctx.bounced(m.dma() - busOffset)) {
            ctx.swiotlb().unmap(m.dma() - busOffset, false);
        }
    }

    @Override
    public int mapSg(DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync) {
        return mapSgEntries(this, st, sg, nents, direction, skipCpuSync);
    }

    /** Maps each entry on its own (Linux {@code dma_direct_map_sg}); on failure unmaps the ones done. */
    static int mapSgEntries(Backend b, DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync) {
        for (int i = 0; i < nents; i++) {
            ScatterList.Entry e = sg.get(i);
            long dma = b.map(st, e.physical(), e.length(), direction, skipCpuSync);
            if (dma == DmaApi.DMA_MAPPING_ERROR) {
                for (int j = 0; j < i; j++) {
                    b.unmap(st, sg.get(j).dmaAddress(), sg.get(j).length(), direction, true);
                }
                for (int j = 0; j < nents; j++) {
                    sg.get(j).setDma(DmaApi.DMA_MAPPING_ERROR, 0);
                }
                return 0;
            }
            e.setDma(dma, e.length());
        }
        return nents;
    }

    static void unmapSgEntries(Backend b, DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync) {
        for (int i = 0; i < nents; i++) {
            ScatterList.Entry e = sg.get(i);
            if (e.dmaAddress() != DmaApi.DMA_MAPPING_ERROR) {
                b.unmap(st, e.dmaAddress(), e.length(), direction, skipCpuSync);
            }
        }
    }

    @Override
    public void unmapSg(DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync) {
        unmapSgEntries(this, st, sg, nents, direction, skipCpuSync);
    }

    @Override
    public void syncForCpu(DeviceState st, long dma, long size, DmaDirection direction) {
        long phys = dma - busOffset;
        ctx.sync().forCpu(phys, size, direction);
        if (direction.deviceWrites() && ctx.bounced(phys)) {
            ctx.swiotlb().syncForCpu(phys, size);
        }
    }

    @Override
    public void syncForDevice(DeviceState st, long dma, long size, DmaDirection direction) {
        long phys = dma - busOffset;
        if (ctx.bounced(phys)) {
            ctx.swiotlb().syncForDevice(phys, size);
        }
        ctx.sync().forDevice(phys, size, direction);
    }

    @Override
    public void syncSgForCpu(DeviceState st, ScatterList sg, int nents, DmaDirection direction) {
        for (int i = 0; i < nents; i++) {
            syncForCpu(st, sg.get(i).dmaAddress(), sg.get(i).length(), direction);
        }
    }

    @Override
    public void syncSgForDevice(DeviceState st, ScatterList sg, int nents, DmaDirection direction) {
        for (int i = 0; i < nents; i++) {
            syncForDevice(st, sg.get(i).dmaAddress(), sg.get(i).length(), direction);
        }
    }

    /**
     * Linux {@code dma_direct_alloc}: frames from the zone the coherent mask (as a physical limit)
     * needs ({@code dma_direct_optimal_gfp_mask}: DMA at or below 16 MiB - 1, DMA32 at or below
     * 4 GiB - 1, else any), and when the block lands beyond the mask, again from the next lower zone
     * ({@code __dma_direct_alloc_pages}: DMA32, then DMA); null when even zone DMA has nothing.
     */
    @Override
    public CoherentBuffer allocCoherent(DeviceState st, long size) {
        DmaMask mask = st.device.coherentMask();
        int order = FrameAllocator.orderFor(size);
        long physLimit = mask.value() - busOffset;
        if (Long.compareUnsigned(busOffset, mask.value()) > 0) {
            return null;
        }
        Zone zone = Long.compareUnsigned(physLimit, DmaMemory.LIMIT_16MIB) <= 0 ? Zone.DMA
                : Long.compareUnsigned(physLimit, DmaMemory.LIMIT_4GIB) <= 0 ? Zone.DMA32 : Zone.NORMAL;
        while (true) {
            long phys = ctx.allocateFrames(order, zone);
            if (phys >= 0 && mask.covers(phys + busOffset, size)) {
                long bytes = (long) FrameAllocator.FRAME_SIZE << order;
                ctx.prepareCoherent(phys, bytes);
                st.addCoherent(new DeviceState.Coherent(phys, phys + busOffset, size, order, 0));
                return new CoherentBuffer(st.device, phys, phys + busOffset, size);
            }
            if (phys >= 0) {
                ctx.frames().free(phys, order);
            }
            if (zone == Zone.DMA) {
                return null;
            }
            zone = zone == Zone.NORMAL ? Zone.DMA32 : Zone.DMA;
        }
    }

    @Override
    public void freeCoherent(DeviceState st, DeviceState.Coherent c) {
        ctx.releaseCoherent(c.physical(), c.order());
    }

    /** Linux {@code dma_direct_max_mapping_size}. */
    @Override
    public long maxMappingSize(DeviceState st) {
        if (ctx.bounce().configured() && (forceBounce || addressingLimited(st.device))) {
            return Swiotlb.maxMappingSize(st.device.minAlignMask());
        }
        return Long.MAX_VALUE;
    }
}
