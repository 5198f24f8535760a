package org.jdma.cli.nic;

/** What {@code jdma run nic} runs. */
public enum NicMode {
    /** ixy-fwd: two ports, each frame received on one is sent on the other. */
    FWD,
    /** ixy-pktgen: the host generates on one port, the far end counts. */
    PKTGEN,
    /** A pcap file replayed into port A, forwarded to port B, captured at B's far end. */
    PCAP
}
