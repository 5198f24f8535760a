package org.jdma.machine.net;

/**
 * One end of a full-duplex Ethernet link, as the device at that end uses it: it transmits frames
 * into the link and is told of frames that arrive from the other end.
 */
public interface LinkEnd {

    /** Smallest frame a MAC sends, without FCS (64 bytes with it; IEEE 802.3 §4.2.3.3). */
    int MIN_FRAME = 60;
    /** Wire overhead per frame besides its bytes: FCS 4, preamble and start delimiter 8, inter-frame gap 12. */
    int WIRE_OVERHEAD_BYTES = 24;

    /**
     * Queues {@code frame} for sending after whatever this end is still sending. Returns the
     * virtual time at which its last bit (and the inter-frame gap after it) has left, when the
     * transmitter is free again (rounded down to the nanosecond, so that a frame sent at that time
     * follows back to back). The frame arrives at the far end when its last bit does: a gap
     * earlier, plus the link's propagation delay. A frame sent while the link is down is lost and
     * returns the current time.
     *
     * @throws IllegalArgumentException when the frame is shorter than 14 bytes (no Ethernet header)
     */
    long transmit(byte[] frame);

    /**
     * {@link #transmit(byte[])} of a frame taken from {@code arrays}: the array goes back to them
     * once nobody holds it (a lost frame at once, a delivered one when its receiver is done with it;
     * see {@link FrameReceiver#receive(byte[], FrameArrays)}). The sender must not touch the array
     * after this call. The default sends it as {@link #transmit(byte[])} and never gives it back.
     */
    default long transmit(byte[] frame, FrameArrays arrays) {
        return transmit(frame);
    }

    /** The receiver of frames that arrive at this end (replaces the previous one). */
    void onReceive(FrameReceiver receiver);

    /** Whether the link is up (both ends attached and the link trained). */
    boolean linkUp();

    /**
     * Runs {@code listener} (on the event kernel) whenever the link goes up or down, as a PHY tells
     * its MAC. The default does nothing: for an end whose link never changes after it is made.
     */
    default void onLinkChange(Runnable listener) {
    }

    /** The link's rate, bits per second (10 Gb/s is 10_000_000_000). */
    long bitsPerSecond();
}
