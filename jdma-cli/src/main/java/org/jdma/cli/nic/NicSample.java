package org.jdma.cli.nic;

/**
 * What a run did over an interval of modeled time.
 *
 * @param startNs          interval start, machine clock
 * @param endNs            interval end
 * @param mppsAb           million frames per second delivered A to B (host to far end in pktgen)
 * @param gbpsAb           their frame bits (FCS included) per second, 10^9
 * @param mppsBa           the same B to A
 * @param gbpsBa           the same B to A
 * @param framesAb         frames delivered A to B
 * @param framesBa         frames delivered B to A
 * @param drops            frames dropped for lack of a receive buffer or transmit slot
 * @param interruptsPerS   MSI-X interrupts per second
 * @param iotlbMissesPerPacket IOTLB misses per delivered frame
 * @param invalidationsPerPacket IOTLB invalidation requests per delivered frame
 * @param driverNs         modeled CPU ns per delivered frame: driver
 * @param mappingNs        modeled CPU ns per delivered frame: DMA API
 * @param iommuNs          modeled CPU ns per delivered frame: IOMMU
 * @param waitNs           machine time per delivered frame that passed inside polls (MMIO, device waits)
 * @param simSpeed         modeled seconds per wall second
 * @param busyCpus         CPUs' worth of packet work (driver, mapping, IOMMU) over the interval; the
 *                         rest of a polling CPU's time is idle polls
 * @param interruptsPerPacket MSI-X interrupts per delivered frame
 * @param polls            NAPI polls run (0 when the applications poll)
 * @param fullPolls        NAPI polls that took their whole budget
 * @param txCleaned        transmit descriptors the NAPI polls reclaimed
 */
public record NicSample(long startNs, long endNs, double mppsAb, double gbpsAb, double mppsBa, double gbpsBa, long framesAb,
                        long framesBa, long drops, double interruptsPerS, double iotlbMissesPerPacket,
                        double invalidationsPerPacket, double driverNs, double mappingNs, double iommuNs, double waitNs, double simSpeed, double busyCpus,
                        double interruptsPerPacket, long polls, long fullPolls, long txCleaned) {

    public double cpuNs() {
        return driverNs + mappingNs + iommuNs + waitNs;
    }

    public double mpps() {
        return mppsAb + mppsBa;
    }
}
