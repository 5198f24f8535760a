package org.jdma.kernel.dma;

import java.util.Optional;
import java.util.OptionalLong;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IovaMapper;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.Zone;

/**
 * DMA through an IOMMU domain (Linux {@code drivers/iommu/dma-iommu.c}): device addresses are
 * IOVAs allocated within the device's mask and mapped granule by granule with the permission the
 * direction gives ({@code dma_info_to_prot}).
 *
 * <ul>
 *   <li>map: {@code __iommu_dma_map}: the IOVA covers the granules the buffer touches and the
 *       returned address keeps the buffer's offset in its first granule. An untrusted device's
 *       buffer that is not granule-aligned in start or size is first bounced into granule-aligned
 *       swiotlb slots whose pre- and post-padding is zeroed ({@code iommu_dma_map_page},
 *       {@code iommu_dma_map_swiotlb}), so the device sees nothing else of the page.</li>
 *   <li>scatterlists: {@code iommu_dma_map_sg}: one IOVA range for the whole list; each segment
 *       expanded to granules; padding so no segment crosses the segment boundary;
 *       {@code __finalise_sg} concatenates segment i into the current device segment iff (a) there
 *       is one, (b) segment i starts on a granule, (c) its IOVA is not on a segment boundary and
 *       (d) the result stays within the max segment size; a segment that ends inside a granule
 *       ends the run. The count returned may be smaller than nents. On failure the list is
 *       restored (every device address DMA_MAPPING_ERROR) and nothing stays mapped. Untrusted
 *       devices map entry by entry ({@code iommu_dma_map_sg_swiotlb}).</li>
 * </ul>
 *
 * <p>One deliberate difference from Linux: the boundary padding between segments is left
 * unmapped (Linux maps the physical pages after the segment there); a device touching it faults.
 * The IOVA range of a scatterlist is allocated rounded up to a power of two, so that it is aligned
 * as the boundary rules assume whatever the allocator does with other sizes; all of it is freed
 * with the mapping.
 */
final class IommuBackend implements Backend {

    private final LayerContext ctx;

    IommuBackend(LayerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "iommu";
    }

    @Override
    public Optional<String> maskRefusal(DeviceState st, DmaMask mask) {
        // Linux's dma-iommu accepts any mask; we need room for one IOVA above IOVA 0.
        long least = 2 * st.domain.granule() - 1;
        return Long.compareUnsigned(mask.value(), least) >= 0 ? Optional.empty() : Optional.of(String.format(
                "the IOMMU domain hands out no IOVA below %#x (IOVA 0 is never used), so a mask needs at least %#x",
                st.domain.granule(), least));
    }

    private static long alignUp(long value, long granule) {
        return (value + granule - 1) & -granule;
    }

    /**
     * Linux {@code iommu_dma_alloc_iova} then {@code iommu_map} with roll-back, through
     * {@link IovaMapper}: the IOVA the mapping was made at, or DMA_MAPPING_ERROR (with a warning)
     * when the domain blocks DMA, has no space, or refuses the request. The 32-bit-first policy for
     * PCI devices ({@code pci_32bit_workaround}) belongs to the domain's allocator here: the VT-d
     * driver's domains apply it inside {@link IommuDomain#allocIova}.
     */
    private long allocateAndMap(DeviceState st, long allocation, long limit, IovaMapper.Mapping mapping) {
        if (st.domain.type() == IommuDomain.Type.BLOCKED) {
            ctx.warn(st.device, "is in a BLOCKED IOMMU domain: no DMA mapping is possible");
            return DmaApi.DMA_MAPPING_ERROR;
        }
        try {
            OptionalLong iova = IovaMapper.allocateAndMap(st.domain, allocation, limit, mapping);
            if (iova.isEmpty()) {
                ctx.warn(st.device, String.format("no IOVA space for %d bytes below %#x", allocation, limit));
                return DmaApi.DMA_MAPPING_ERROR;
            }
            return iova.getAsLong();
        } catch (RuntimeException e) {
            // A limit the domain cannot serve, or a map it refuses, is a failed mapping, not a crash.
            ctx.warn(st.device, String.format("IOMMU mapping of %#x bytes below %#x failed: %s", allocation, limit, e.getMessage()));
            return DmaApi.DMA_MAPPING_ERROR;
        }
    }

    /** Linux {@code __iommu_dma_map}: the IOVA of phys, or DMA_MAPPING_ERROR. */
    private long iommuMap(DeviceState st, long phys, long size, IoPermission permission, long limit) {
        IommuDomain d = st.domain;
        long granule = d.granule();
        long offset = phys & (granule - 1);
        long len = alignUp(size + offset, granule);
        long iova = allocateAndMap(st, len, limit, at -> d.map(at, phys - offset, len, permission));
        return iova == DmaApi.DMA_MAPPING_ERROR ? iova : iova + offset;
    }

    /**
     * Linux {@code iommu_dma_sync_single_for_*}'s first test: on a coherent machine, a device that
     * is never bounced (only untrusted devices are) has no cache to maintain and no bounce copy to
     * make, so a sync does not even translate the IOVA, and neither does an unmap (Linux's
     * translates to find a bounce slot; the layer's record already says the IOVA was mapped).
     */
    private boolean nothingToSync(DeviceState st) {
        return ctx.sync().coherent() && !st.device.untrusted();
    }

    private boolean needsBounce(DeviceState st, long phys, long size) {
        return st.device.untrusted() && ((phys | size) & (st.domain.granule() - 1)) != 0;
    }

    @Override
    public long map(DeviceState st, long phys, long size, DmaDirection direction, boolean skipCpuSync) {
        long p = phys;
        boolean bounced = false;
        if (needsBounce(st, phys, size)) {
            Swiotlb tlb = ctx.swiotlb();
            if (!tlb.active()) {
                ctx.warn(st.device, "DMA bounce buffers are inactive, unable to map unaligned transaction.");
                return DmaApi.DMA_MAPPING_ERROR;
            }
            long max = Swiotlb.maxMappingSize(st.device.minAlignMask());
            if (size > max) {
                ctx.warn(st.device, String.format("cannot bounce %d bytes at %#x: the largest bounce mapping is %d bytes", size, phys, max));
                return DmaApi.DMA_MAPPING_ERROR;
            }
            long granuleMask = st.domain.granule() - 1;
            p = tlb.map(phys, size, granuleMask, st.device.minAlignMask(), st.device.segmentBoundary(), 0);
            if (p == Swiotlb.NO_SLOTS) {
                return DmaApi.DMA_MAPPING_ERROR;
            }
            // An untrusted device must not see what earlier users left around the buffer.
            long preStart = p & ~granuleMask;
            if (p > preStart) {
                ctx.cpu().fill(preStart, p - preStart, (byte) 0);
            }
            long postStart = p + size;
            long postEnd = alignUp(postStart, granuleMask + 1);
            if (postEnd > postStart) {
                ctx.cpu().fill(postStart, postEnd - postStart, (byte) 0);
            }
            bounced = true;
        }
        if (!skipCpuSync) {
            ctx.sync().forDevice(p, size, direction);
        }
        long iova = iommuMap(st, p, size, direction.iommuPermission(), st.device.dmaMask().value());
        if (iova == DmaApi.DMA_MAPPING_ERROR) {
            if (bounced) {
                ctx.swiotlb().unmap(p, false);
            }
            return DmaApi.DMA_MAPPING_ERROR;
        }
        st.add(new DeviceState.Single(iova, size, direction));
        return iova;
    }

    @Override
    public void unmap(DeviceState st, long dma, long size, DmaDirection direction, boolean skipCpuSync) {
        DeviceState.Live live = st.take(dma);
        if (live != null) {
            unmapLive(st, live, skipCpuSync); // nothing mapped there: nothing to release (the checker reports it)
        }
    }

    @Override
    public void release(DeviceState st, DeviceState.Live live) {
        unmapLive(st, live, true);
    }

    /** Unmaps what the layer recorded: the caller's size and direction were only the key. */
    private void unmapLive(DeviceState st, DeviceState.Live live, boolean skipCpuSync) {
        IommuDomain d = st.domain;
        switch (live) {
            case DeviceState.Single m -> {
                long granule = d.granule();
                long offset = m.dma() & (granule - 1);
                // With nothing to sync there is no cache to maintain and no bounce slot to free: no need to translate.
                OptionalLong phys = nothingToSync(st) ? OptionalLong.empty() : d.translate(m.dma());
                if (!skipCpuSync && phys.isPresent()) {
                    ctx.sync().forCpu(phys.getAsLong(), m.size(), m.direction());
                }
                d.unmapAndFree(m.dma() - offset, alignUp(m.size() + offset, granule));
                if (phys.isPresent() && ctx.bounced(phys.getAsLong())) {
                    ctx.swiotlb().unmap(phys.getAsLong(), !skipCpuSync && m.direction().deviceWrites());
                }
            }
            case DeviceState.SgRange r -> d.unmapAndFree(r.iova(), r.iovaSize());
        }
    }

    @Override
    public int mapSg(DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync) {
        if (st.device.untrusted()) {
            return DirectBackend.mapSgEntries(this, st, sg, nents, direction, skipCpuSync);
        }
        if (!skipCpuSync) {
            for (int i = 0; i < nents; i++) {
                ctx.sync().forDevice(sg.get(i).physical(), sg.get(i).length(), direction);
            }
        }
        IommuDomain d = st.domain;
        long granule = d.granule();
        long boundary = st.device.segmentBoundary();
        long[] iovaOff = new long[nents];
        long[] mapLen = new long[nents];
        long[] iovaSpan = new long[nents];
        long iovaLen = 0;
        int prev = -1;
        for (int i = 0; i < nents; i++) {
            ScatterList.Entry e = sg.get(i);
            iovaOff[i] = e.physical() & (granule - 1);
            mapLen[i] = alignUp(e.length() + iovaOff[i], granule);
            iovaSpan[i] = mapLen[i];
            // Pad the previous segment so this one starts on a boundary rather than crossing one.
            long pad = (boundary - iovaLen + 1) & boundary;
            if (pad != 0 && Long.compareUnsigned(pad, mapLen[i] - 1) < 0) {
                iovaSpan[prev] += pad;
                iovaLen += pad;
            }
            iovaLen += mapLen[i];
            prev = i;
        }
        long allocSize = Long.highestOneBit(iovaLen) == iovaLen ? iovaLen : Long.highestOneBit(iovaLen) << 1;
        IoPermission permission = direction.iommuPermission();
        long iova = allocSize <= 0 ? DmaApi.DMA_MAPPING_ERROR : allocateAndMap(st, allocSize, st.device.dmaMask().value(), start -> {
            long cursor = start;
            for (int i = 0; i < nents; i++) {
                d.map(cursor, sg.get(i).physical() - iovaOff[i], mapLen[i], permission);
                cursor += iovaSpan[i];
            }
        });
        if (iova == DmaApi.DMA_MAPPING_ERROR) {
            ctx.warn(st.device, String.format("cannot map a %d-entry scatterlist of %d bytes", nents, iovaLen));
            restore(sg, nents);
            return 0;
        }
        int count = finalise(st, sg, nents, iova, iovaOff, iovaSpan);
        st.add(new DeviceState.SgRange(sg.get(0).dmaAddress(), iova, allocSize, direction));
        return count;
    }

    /** Linux {@code __finalise_sg}: writes the device segments, merging where (a)-(d) allow. */
    private static int finalise(DeviceState st, ScatterList sg, int nents, long iova, long[] iovaOff, long[] iovaSpan) {
        long segMask = st.device.segmentBoundary();
        long maxLen = st.device.maxSegmentSize();
        long[] outAddr = new long[nents];
        long[] outLen = new long[nents];
        int count = 0;
        long curLen = 0;
        long dma = iova;
        for (int i = 0; i < nents; i++) {
            long sLength = sg.get(i).length();
            long sOff = iovaOff[i];
            if (curLen != 0 && sOff == 0 && (dma & segMask) != 0 && maxLen - curLen >= sLength) {
                curLen += sLength;
            } else {
                count++;
                curLen = sLength;
                outAddr[count - 1] = dma + sOff;
            }
            outLen[count - 1] = curLen;
            dma += iovaSpan[i];
            if (sLength + sOff < iovaSpan[i]) {
                curLen = 0; // this segment ends inside its last granule (or before padding): nothing may follow it
            }
        }
        for (int i = 0; i < nents; i++) {
            if (i < count) {
                sg.get(i).setDma(outAddr[i], outLen[i]);
            } else {
                sg.get(i).setDma(DmaApi.DMA_MAPPING_ERROR, 0);
            }
        }
        return count;
    }

    private static void restore(ScatterList sg, int nents) {
        for (int i = 0; i < nents; i++) {
            sg.get(i).setDma(DmaApi.DMA_MAPPING_ERROR, 0);
        }
    }

    @Override
    public void unmapSg(DeviceState st, ScatterList sg, int nents, DmaDirection direction, boolean skipCpuSync) {
        if (st.device.untrusted()) {
            DirectBackend.unmapSgEntries(this, st, sg, nents, direction, skipCpuSync);
            return;
        }
        DeviceState.Live live = st.take(sg.get(0).dmaAddress());
        if (!(live instanceof DeviceState.SgRange r)) {
            if (live != null) {
                st.add(live); // not a scatterlist mapping: leave it for the unmap it belongs to
            }
            return;
        }
        if (!skipCpuSync) {
            syncSgForCpu(st, sg, nents, direction);
        }
        st.domain.unmapAndFree(r.iova(), r.iovaSize());
    }

    @Override
    public void syncForCpu(DeviceState st, long dma, long size, DmaDirection direction) {
        if (nothingToSync(st)) {
            return;
        }
        OptionalLong phys = st.domain.translate(dma);
        if (phys.isEmpty()) {
            return;
        }
        ctx.sync().forCpu(phys.getAsLong(), size, direction);
        if (direction.deviceWrites() && ctx.bounced(phys.getAsLong())) {
            ctx.swiotlb().syncForCpu(phys.getAsLong(), size);
        }
    }

    @Override
    public void syncForDevice(DeviceState st, long dma, long size, DmaDirection direction) {
        if (nothingToSync(st)) {
            return;
        }
        OptionalLong phys = st.domain.translate(dma);
        if (phys.isEmpty()) {
            return;
        }
        if (ctx.bounced(phys.getAsLong())) {
            ctx.swiotlb().syncForDevice(phys.getAsLong(), size);
        }
        ctx.sync().forDevice(phys.getAsLong(), size, direction);
    }

    @Override
    public void syncSgForCpu(DeviceState st, ScatterList sg, int nents, DmaDirection direction) {
        for (int i = 0; i < nents; i++) {
            ScatterList.Entry e = sg.get(i);
            if (st.device.untrusted()) {
                syncForCpu(st, e.dmaAddress(), e.length(), direction);
            } else {
                ctx.sync().forCpu(e.physical(), e.length(), direction);
            }
        }
    }

    @Override
    public void syncSgForDevice(DeviceState st, ScatterList sg, int nents, DmaDirection direction) {
        for (int i = 0; i < nents; i++) {
            ScatterList.Entry e = sg.get(i);
            if (st.device.untrusted()) {
                syncForDevice(st, e.dmaAddress(), e.length(), direction);
            } else {
                ctx.sync().forDevice(e.physical(), e.length(), direction);
            }
        }
    }

    /** Linux {@code iommu_dma_alloc}: any frames, zeroed, mapped read-write below the coherent mask. */
    @Override
    public CoherentBuffer allocCoherent(DeviceState st, long size) {
        int order = FrameAllocator.orderFor(size);
        long phys = ctx.allocateFrames(order, Zone.NORMAL);
        if (phys < 0) {
            return null;
        }
        long bytes = (long) FrameAllocator.FRAME_SIZE << order;
        ctx.prepareCoherent(phys, bytes);
        long len = alignUp(size, st.domain.granule());
        long iova = iommuMap(st, phys, len, IoPermission.READ_WRITE, st.device.coherentMask().value());
        if (iova == DmaApi.DMA_MAPPING_ERROR) {
            ctx.releaseCoherent(phys, order);
            return null;
        }
        st.addCoherent(new DeviceState.Coherent(phys, iova, size, order, len));
        return new CoherentBuffer(st.device, phys, iova, size);
    }

    @Override
    public void freeCoherent(DeviceState st, DeviceState.Coherent c) {
        st.domain.unmapAndFree(c.dma(), c.iovaSize());
        ctx.releaseCoherent(c.physical(), c.order());
    }

    /** Linux {@code iommu_dma_max_mapping_size}: bounded by the bounce pool only for untrusted devices. */
    @Override
    public long maxMappingSize(DeviceState st) {
        return st.device.untrusted() ? Swiotlb.maxMappingSize(st.device.minAlignMask()) : Long.MAX_VALUE;
    }
}
