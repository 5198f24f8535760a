package org.jdma.kernel.net.app;

/**
 * What a CPU did, counted: the events {@link CpuCostModel} charges for.
 *
 * @param batches       path polls that moved packets (a receive batch with the send batch it feeds, or a send batch)
 * @param idlePolls     path polls that found nothing to do (a polling application spins)
 * @param rxPackets     packets taken from receive rings
 * @param txPackets     packets queued on transmit rings
 * @param maps          streaming map calls
 * @param unmaps        unmap calls
 * @param syncs         sync calls
 * @param invalidations IOTLB invalidation requests
 */
public record CpuWork(long batches, long idlePolls, long rxPackets, long txPackets, long maps, long unmaps, long syncs, long invalidations) {

    public static final CpuWork ZERO = new CpuWork(0, 0, 0, 0, 0, 0, 0, 0);

    /** A poll of one path that found nothing. */
    public static final CpuWork IDLE_POLL = new CpuWork(0, 1, 0, 0, 0, 0, 0, 0);

    /** A poll of one path that received {@code rx} and sent {@code tx} packets. */
    public static CpuWork batch(long rx, long tx) {
        return new CpuWork(1, 0, rx, tx, 0, 0, 0, 0);
    }

    public CpuWork plus(CpuWork o) {
        return new CpuWork(batches + o.batches, idlePolls + o.idlePolls, rxPackets + o.rxPackets, txPackets + o.txPackets, maps + o.maps,
                unmaps + o.unmaps, syncs + o.syncs, invalidations + o.invalidations);
    }

    public CpuWork minus(CpuWork o) {
        return new CpuWork(batches - o.batches, idlePolls - o.idlePolls, rxPackets - o.rxPackets, txPackets - o.txPackets, maps - o.maps,
                unmaps - o.unmaps, syncs - o.syncs, invalidations - o.invalidations);
    }
}
