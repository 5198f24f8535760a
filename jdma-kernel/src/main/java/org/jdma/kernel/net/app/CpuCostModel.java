package org.jdma.kernel.net.app;

/**
 * What CPU work costs, in cycles of a CPU at {@code cpuGhz}. Every cost is per event the kernel
 * counts; {@link #cost} turns a poll's counts into nanoseconds in three categories. Defaults and
 * where they come from: docs/DESIGN.md, "Modeled CPU time".
 *
 * @param cpuGhz             CPU clock, GHz (default 1.6: the clock ixy's language comparison
 *                           runs at so that the CPU, not the wire, limits 64-byte forwarding)
 * @param batchCycles        driver cycles per poll of one path (a receive batch call and the send batch
 *                           call it feeds, or one send batch call), however many packets (150); an
 *                           idle poll (nothing received) costs the same, counted as idle time
 * @param rxPacketCycles     driver cycles per received packet (50)
 * @param txPacketCycles     driver cycles per sent packet (40); with the two above, a forwarded
 *                           packet costs 94.7 cycles at batch 32 and 108.75 at batch 8 (ixy: 94 and 108)
 * @param mapCycles          cycles per streaming map call, direct part (30)
 * @param unmapCycles        cycles per unmap call, direct part (20)
 * @param syncCycles         cycles per sync call (10)
 * @param iommuMapCycles     extra cycles per map in a translated domain: IOVA allocation and page-table writes (250)
 * @param iommuUnmapCycles   extra cycles per unmap in a translated domain: page-table clear and IOVA free
 *                           or flush-queue entry (200)
 * @param invalidationCycles CPU cycles per IOTLB invalidation request: building and queueing the
 *                           descriptors (300); the wait for its completion is the machine's (MMIO
 *                           and the unit's modeled completion pass on the clock inside the poll)
 */
public record CpuCostModel(double cpuGhz, int batchCycles, int rxPacketCycles, int txPacketCycles, int mapCycles,
                           int unmapCycles, int syncCycles, int iommuMapCycles, int iommuUnmapCycles,
                           int invalidationCycles) {

    public static final CpuCostModel DEFAULTS = new CpuCostModel(1.6, 150, 50, 40, 30, 20, 10, 250, 200, 300);

    public CpuCostModel {
        if (!(cpuGhz > 0 && cpuGhz <= 100)) {
            throw new IllegalArgumentException("cpuGhz must be in (0, 100], was " + cpuGhz);
        }
        int[] cycles = {batchCycles, rxPacketCycles, txPacketCycles, mapCycles, unmapCycles, syncCycles, iommuMapCycles,
                iommuUnmapCycles, invalidationCycles};
        for (int c : cycles) {
            if (c < 0) {
                throw new IllegalArgumentException("cycle costs must be >= 0: " + this);
            }
        }
    }

    public CpuCostModel withCpuGhz(double ghz) {
        return new CpuCostModel(ghz, batchCycles, rxPacketCycles, txPacketCycles, mapCycles, unmapCycles, syncCycles,
                iommuMapCycles, iommuUnmapCycles, invalidationCycles);
    }

    /** Nanoseconds {@code cycles} take. */
    public double ns(double cycles) {
        return cycles / cpuGhz;
    }

    /**
     * What {@code work} costs. {@code translated}: the devices map through a translated IOMMU
     * domain (strict or lazy), so each map and unmap also pays the IOMMU's part.
     */
    public CpuCost cost(CpuWork work, boolean translated) {
        return new CpuCost(driverNs(work.batches(), work.rxPackets(), work.txPackets()),
                mappingNs(work.maps(), work.unmaps(), work.syncs()),
                iommuNs(work.maps(), work.unmaps(), work.invalidations(), translated), 0, idleNs(work.idlePolls()));
    }

    /** {@link CpuCost#driverNs()} of {@link #cost}: batch calls and per-packet descriptor work. */
    double driverNs(long batches, long rxPackets, long txPackets) {
        return ns((double) batches * batchCycles + (double) rxPackets * rxPacketCycles + (double) txPackets * txPacketCycles);
    }

    /** {@link CpuCost#mappingNs()} of {@link #cost}: the DMA-API calls' direct part. */
    double mappingNs(long maps, long unmaps, long syncs) {
        return ns((double) maps * mapCycles + (double) unmaps * unmapCycles + (double) syncs * syncCycles);
    }

    /** {@link CpuCost#iommuNs()} of {@link #cost}: invalidation requests, and in a translated domain each map's and unmap's IOMMU part. */
    double iommuNs(long maps, long unmaps, long invalidations, boolean translated) {
        double iommu = (double) invalidations * invalidationCycles;
        if (translated) {
            iommu += (double) maps * iommuMapCycles + (double) unmaps * iommuUnmapCycles;
        }
        return ns(iommu);
    }

    /** {@link CpuCost#idleNs()} of {@link #cost}: polls that found nothing. */
    double idleNs(long idlePolls) {
        return ns((double) idlePolls * batchCycles);
    }
}
