package org.jdma.machine.net;

import java.util.Objects;
import org.jdma.machine.time.EventKernel;

/** A far end that only counts what arrives: frames, bytes, first and last arrival time. */
public final class CountingSink implements FrameReceiver {

    private final EventKernel kernel;
    private long frames;
    private long bytes;
    private long firstNs = -1;
    private long lastNs = -1;

    public CountingSink(EventKernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    @Override
    public void receive(byte[] frame) {
        long now = kernel.now();
        if (frames == 0) {
            firstNs = now;
        }
        lastNs = now;
        frames++;
        bytes += frame.length;
    }

    /** Counts it, and gives the array back: nothing here keeps it. */
    @Override
    public void receive(byte[] frame, FrameArrays arrays) {
        receive(frame);
        arrays.giveBack(frame);
    }

    public long frames() {
        return frames;
    }

    /** Bytes of the frames, without FCS. */
    public long bytes() {
        return bytes;
    }

    /** Arrival time of the first frame, or -1 before any came. */
    public long firstArrivalNs() {
        return firstNs;
    }

    /** Arrival time of the latest frame, or -1 before any came. */
    public long lastArrivalNs() {
        return lastNs;
    }
}
