package org.jdma.cli.nic;

import org.jdma.kernel.drivers.ixgbe.NapiStats;

import org.jdma.kernel.net.app.CpuCost;
import org.jdma.kernel.net.app.CpuWork;

/**
 * Cumulative counters of a run at one moment; two of them make a {@link NicSample}.
 *
 * @param timeNs      machine clock, ns
 * @param wallNs      wall clock, ns
 * @param framesAb    frames that reached the far end of port B (A to B), or of the host port (pktgen)
 * @param bytesAb     their bytes without FCS
 * @param framesBa    frames that reached the far end of port A (B to A; fwd both ways)
 * @param bytesBa     their bytes
 * @param drops       frames the ports found no buffer for plus frames a transmit ring refused
 * @param interrupts  MSI-X interrupts the ports raised
 * @param iotlbMisses IOTLB misses of every remapping unit
 * @param work        what the CPUs did
 * @param cost        what it cost
 * @param napi        the ports' NAPI counters (zero when the applications poll)
 */
public record NicTotals(long timeNs, long wallNs, long framesAb, long bytesAb, long framesBa, long bytesBa, long drops,
                        long interrupts, long iotlbMisses, CpuWork work, CpuCost cost,
                        NapiStats napi) {

    /** The interval from {@code start} to this. */
    public NicSample since(NicTotals start) {
        long ns = timeNs - start.timeNs;
        long wall = Math.max(1, wallNs - start.wallNs);
        long fAb = framesAb - start.framesAb;
        long fBa = framesBa - start.framesBa;
        long packets = fAb + fBa;
        CpuWork w = work.minus(start.work);
        CpuCost spent = cost.minus(start.cost);
        CpuCost perPacket = spent.per(packets);
        double seconds = ns / 1e9;
        return new NicSample(start.timeNs, timeNs, mpps(fAb, seconds), gbps(fAb, bytesAb - start.bytesAb, seconds),
                mpps(fBa, seconds), gbps(fBa, bytesBa - start.bytesBa, seconds), fAb, fBa, drops - start.drops,
                seconds == 0 ? 0 : (interrupts - start.interrupts) / seconds,
                per(iotlbMisses - start.iotlbMisses, packets), per(w.invalidations(), packets),
                perPacket.driverNs(), perPacket.mappingNs(), perPacket.iommuNs(), perPacket.waitNs(), (double) ns / wall,
                ns == 0 ? 0 : spent.busyNs() / ns, per(interrupts - start.interrupts, packets), napi.polls() - start.napi.polls(),
                napi.fullPolls() - start.napi.fullPolls(), napi.txCleaned() - start.napi.txCleaned());
    }

    private static double mpps(long frames, double seconds) {
        return seconds == 0 ? 0 : frames / seconds / 1e6;
    }

    /** Frame bits with FCS, as the card's octet counters count them. */
    private static double gbps(long frames, long bytes, double seconds) {
        return seconds == 0 ? 0 : (bytes + frames * (long) NicScenario.FCS_BYTES) * 8 / seconds / 1e9;
    }

    private static double per(long n, long packets) {
        return packets == 0 ? 0 : (double) n / packets;
    }
}
