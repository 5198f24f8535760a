package org.jdma.kernel.net.app;

/**
 * Modeled CPU time in the three categories a report splits it into, ns.
 *
 * @param driverNs  the driver's own work: batch calls and per-packet descriptor handling
 * @param mappingNs DMA-API calls (map, unmap, sync), their direct part
 * @param iommuNs   IOVA allocation, page tables and IOTLB invalidation
 * @param waitNs    modeled time that passed on the machine's clock while a poll ran: the MMIO
 *                  accesses and device waits the machine itself models (register reads and writes,
 *                  a queued invalidation's completion), not charged again by the model
 * @param idleNs    polls that found nothing (spinning; not part of any packet's cost)
 */
public record CpuCost(double driverNs, double mappingNs, double iommuNs, double waitNs, double idleNs) {

    public static final CpuCost ZERO = new CpuCost(0, 0, 0, 0, 0);

    /** Time spent on packets: driver, mapping and IOMMU work and the machine's waits. */
    public double busyNs() {
        return driverNs + mappingNs + iommuNs + waitNs;
    }

    /** The same cost, with {@code ns} of machine time passed inside the poll added as wait. */
    public CpuCost withWait(double ns) {
        return new CpuCost(driverNs, mappingNs, iommuNs, waitNs + ns, idleNs);
    }

    /** Every modeled nanosecond the CPU spent, idle polls included. */
    public double totalNs() {
        return busyNs() + idleNs;
    }

    public CpuCost plus(CpuCost o) {
        return new CpuCost(driverNs + o.driverNs, mappingNs + o.mappingNs, iommuNs + o.iommuNs, waitNs + o.waitNs, idleNs + o.idleNs);
    }

    public CpuCost minus(CpuCost o) {
        return new CpuCost(driverNs - o.driverNs, mappingNs - o.mappingNs, iommuNs - o.iommuNs, waitNs - o.waitNs, idleNs - o.idleNs);
    }

    /** This cost scaled by {@code share} (the part of it spent so far, say). */
    public CpuCost times(double share) {
        return new CpuCost(driverNs * share, mappingNs * share, iommuNs * share, waitNs * share, idleNs * share);
    }

    /** This cost divided over {@code packets} (zero when there were none). */
    public CpuCost per(long packets) {
        return packets == 0 ? ZERO : new CpuCost(driverNs / packets, mappingNs / packets, iommuNs / packets, waitNs / packets,
                idleNs / packets);
    }
}
