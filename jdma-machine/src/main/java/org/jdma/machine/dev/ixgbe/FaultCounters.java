package org.jdma.machine.dev.ixgbe;

/**
 * What went wrong in a port, counted where the datasheet defines no counter. Every refused DMA
 * request also sets EICR.PCI (and a refused read sets Received Master Abort in the function's
 * Status, as for any PCI function); these counters say which request it was.
 *
 * @param descriptorFetchFaults descriptor reads the bus or IOMMU refused (the descriptor is not consumed)
 * @param bufferFaults          packet data reads (transmit) or writes (receive) refused
 * @param writeBackFaults       descriptor write-backs refused (the descriptor is consumed all the same)
 * @param ringErrors            frames or tail writes that met a ring software set up wrong: length 0,
 *                              head or tail beyond the ring, a receive buffer size of 0
 * @param malformedDescriptors  transmit descriptors that are neither advanced data nor context descriptors
 * @param droppedTransmits      frames gathered but not sent: a faulted or malformed descriptor in the
 *                              frame, shorter than an Ethernet header, or longer than the jumbo limit
 * @param filteredFrames        frames the receive address filter did not accept
 * @param disabledDrops         frames that arrived while receive was disabled (RXCTRL.RXEN clear) or in reset
 * @param writesDuringReset     register writes ignored because the port was still in reset
 */
public record FaultCounters(long descriptorFetchFaults, long bufferFaults, long writeBackFaults, long ringErrors,
                            long malformedDescriptors, long droppedTransmits, long filteredFrames, long disabledDrops,
                            long writesDuringReset) {

    /** The counters while they run (the port's, not shared). */
    static final class Live {
        long descriptorFetchFaults;
        long bufferFaults;
        long writeBackFaults;
        long ringErrors;
        long malformedDescriptors;
        long droppedTransmits;
        long filteredFrames;
        long disabledDrops;
        long writesDuringReset;

        FaultCounters snapshot() {
            return new FaultCounters(descriptorFetchFaults, bufferFaults, writeBackFaults, ringErrors, malformedDescriptors,
                    droppedTransmits, filteredFrames, disabledDrops, writesDuringReset);
        }
    }
}
