package org.jdma.cli.nic;

/** How the applications receive: by polling the rings (ixy) or through the driver's NAPI (Linux). */
public enum NicRxPath {
    /** The applications poll the receive rings in a loop; the card raises no interrupt. */
    POLL,
    /**
     * Each queue's MSI-X vector masks itself and schedules a poll on the queue's CPU; the poll hands
     * up to a budget of frames to the application and re-arms the vector when it took fewer.
     */
    NAPI
}
