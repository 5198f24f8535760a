package org.jdma.kernel.net.app;

/**
 * {@link CpuCost}'s categories as mutable fields, ns: a poll's cost and a CPU's running sum, kept
 * by a {@link PollLoop} without a record per poll. Not thread-safe.
 */
final class CostTally {
    double driverNs;
    double mappingNs;
    double iommuNs;
    double waitNs;
    double idleNs;

    /** Sets this to what {@code work} costs under {@code model} ({@link CpuCostModel#cost}), with {@code waitNs} of machine time. */
    void set(CpuCostModel model, WorkTally work, boolean translated, double waitNs) {
        driverNs = model.driverNs(work.batches, work.rxPackets, work.txPackets);
        mappingNs = model.mappingNs(work.maps, work.unmaps, work.syncs);
        iommuNs = model.iommuNs(work.maps, work.unmaps, work.invalidations, translated);
        this.waitNs = waitNs;
        idleNs = model.idleNs(work.idlePolls);
    }

    void add(CostTally o) {
        driverNs += o.driverNs;
        mappingNs += o.mappingNs;
        iommuNs += o.iommuNs;
        waitNs += o.waitNs;
        idleNs += o.idleNs;
    }

    /** The CPU time the model charges, idle polls included and the machine's wait not (the clock passed that already). */
    double chargedNs() {
        return driverNs + mappingNs + iommuNs + idleNs;
    }

    CpuCost toCost() {
        return new CpuCost(driverNs, mappingNs, iommuNs, waitNs, idleNs);
    }
}
