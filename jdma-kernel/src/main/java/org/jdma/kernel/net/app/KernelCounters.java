package org.jdma.kernel.net.app;

import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.spec.pci.RequesterId;

/**
 * Reads the counters the kernel already keeps that a {@link CpuCostModel} charges for: the mapping
 * layer's streaming calls and the VT-d driver's IOTLB invalidation requests (every granularity).
 */
public final class KernelCounters {

    private final Kernel kernel;
    /** The VT-d driver, or null: the kernel brings its IOMMU up once, at boot, and a poll reads this every time. */
    private final VtdIommuDriver vtd;

    public KernelCounters(Kernel kernel) {
        this.kernel = kernel;
        this.vtd = kernel.iommu().driver(VtdIommuDriver.class).orElse(null);
    }

    /** Maps, unmaps, syncs and invalidations so far; batches and packets zero (the poll counts those). */
    public CpuWork read() {
        WorkTally now = new WorkTally();
        readInto(now);
        return now.toWork();
    }

    /** {@link #read()} into {@code now}, without making a record (a poll loop reads every poll). */
    void readInto(WorkTally now) {
        DmaMappingLayer.Counts c = kernel.mappingLayer().counts();
        now.clear();
        now.maps = c.maps();
        now.unmaps = c.unmaps();
        now.syncs = c.syncs();
        now.invalidations = vtd == null ? 0 : vtd.iotlbInvalidations();
    }

    /** Whether {@code device} maps through a translated domain (strict or lazy), not directly or 1:1. */
    public boolean translated(RequesterId device) {
        return kernel.iommu().domainOf(device).map(d -> d.type() == IommuDomain.Type.DMA_STRICT
                || d.type() == IommuDomain.Type.DMA_LAZY).orElse(false);
    }
}
