package org.jdma.cli.isa;

/**
 * One transfer mode's numbers: the block device's read beside the CPU workload.
 *
 * @param mode            single, block, demand or transparent
 * @param bytes           bytes the channel moved
 * @param transferNs      from the first bus grant to terminal count, modeled ns
 * @param commandNs       from the command to its interrupt, modeled ns
 * @param cpuStallNs      time the CPU workload waited for the bus
 * @param longestStallNs  its longest single wait
 * @param grants          bus grants (HLDA)
 * @param transfers       transfer cycles
 * @param busHeldNs       time DMA owned the bus
 * @param cpuCycles       memory cycles the workload did
 * @param cpuCyclesFree   cycles it would have done on a free bus in the same time
 * @param ok              the bytes read equal the medium's
 */
public record IsaModeResult(String mode, long bytes, long transferNs, long commandNs, long cpuStallNs, long longestStallNs,
                            long grants, long transfers, long busHeldNs, long cpuCycles, long cpuCyclesFree, boolean ok) {

    /** The CPU's stall as a share of the command's time. */
    public double stallShare() {
        return commandNs == 0 ? 0 : (double) cpuStallNs / commandNs;
    }

    /** DMA's share of the bus from the first grant to terminal count. */
    public double busUtilisation() {
        return transferNs == 0 ? 0 : (double) busHeldNs / transferNs;
    }

    public double transfersPerGrant() {
        return grants == 0 ? 0 : (double) transfers / grants;
    }

    /** Work the CPU got done against a free bus. */
    public double cpuDone() {
        return cpuCyclesFree == 0 ? 1 : (double) cpuCycles / cpuCyclesFree;
    }
}
