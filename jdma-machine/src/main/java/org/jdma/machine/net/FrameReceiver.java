package org.jdma.machine.net;

import java.util.Objects;

/** What a link delivers frames to: a NIC port's MAC, a capture, a counting sink. */
@FunctionalInterface
public interface FrameReceiver {

    /**
     * A whole frame has arrived: its last bit reached this end at the event kernel's current time.
     * {@code frame} is destination MAC through payload, without FCS; the receiver must not modify
     * it (the sender may hand the same array to a capture too).
     */
    void receive(byte[] frame);

    /**
     * {@link #receive(byte[])} from a sender that reuses its frame arrays: a receiver that can
     * tell when it is done with {@code frame} hands it to {@code arrays.giveBack} then (at once,
     * or later, as a NIC whose packet buffer holds it) and never touches it afterwards. The
     * default keeps the array, as {@link #receive(byte[])} may, and never gives it back, which is
     * always safe: the sender makes a new one.
     */
    default void receive(byte[] frame, FrameArrays arrays) {
        receive(frame);
    }

    /**
     * {@code parts}, declared to keep nothing: each frame's array goes back to its sender as soon
     * as {@code parts} returns (for receivers that count, check or write a frame out at once).
     */
    static FrameReceiver keepingNone(FrameReceiver parts) {
        Objects.requireNonNull(parts, "parts");
        return new FrameReceiver() {
            @Override
            public void receive(byte[] frame) {
                parts.receive(frame);
            }

            @Override
            public void receive(byte[] frame, FrameArrays arrays) {
                parts.receive(frame);
                arrays.giveBack(frame);
            }
        };
    }
}
