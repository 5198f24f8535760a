package org.jdma.machine.net;

/** What a link delivers frames to: a NIC port's MAC, a capture, a counting sink. */
@FunctionalInterface
public interface FrameReceiver {

    /**
     * A whole frame has arrived: its last bit reached this end at the event kernel's current time.
     * {@code frame} is destination MAC through payload, without FCS; the receiver must not modify
     * it (the sender may hand the same array to a capture too).
     */
    void receive(byte[] frame);
}
