package org.jdma.cli.nvme;

import org.HdrHistogram.Histogram;
import org.jdma.kernel.drivers.nvme.SmartLog;

/**
 * What a job measured: I/Os completed, modeled time, completion latencies (ns), interrupts, IOTLB
 * misses of the remapping units (0 with the IOMMU off), wall time, and verify results.
 *
 * @param iotlbMisses IOTLB misses of every VT-d unit from the first I/O to the last completion
 * @param wallNs      wall time from the first I/O to the last completion (boot and verify left out), ns
 * @param smart       the controller's SMART / Health log read after the job (and after verify)
 */
public record NvmeJobResult(NvmeJob job, long ios, long errors, long modeledNs, Histogram latency, long interrupts,
                            long iotlbMisses, long wallNs, long verified, long mismatches,
                            SmartLog smart) {

    public double iops() { return ios / (modeledNs / 1e9); }

    public double bandwidthMiBs() { return iops() * job.bs() / (1 << 20); }

    public double meanLatencyNs() { return latency.getMean(); }

    public double interruptsPerIo() { return ios == 0 ? 0 : interrupts / (double) ios; }

    public double iotlbMissesPerIo() { return ios == 0 ? 0 : iotlbMisses / (double) ios; }

    /** Modeled I/Os per wall second: how fast the simulation runs. */
    public double simulatedIosPerWallSecond() { return ios / (wallNs / 1e9); }

    /** Little's law: outstanding requests = throughput x latency. */
    public double littlesLawDepth() { return iops() * meanLatencyNs() / 1e9; }
}
