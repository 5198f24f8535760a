package org.jdma.machine.net;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jdma.machine.time.EventKernel;

/**
 * A full-duplex Ethernet link between two {@link LinkEnd}s, on the event kernel.
 *
 * <p>Each direction is a transmitter that serialises frames one after another: a frame starts when
 * the previous one (and its inter-frame gap) has left, occupies the wire for
 * {@link LinkParameters#framePicoseconds(int)}, and is delivered at the far end when its last bit
 * (the end of the FCS) arrives, plus the propagation delay. The two directions share nothing but
 * the link state. Times are kept in picoseconds (a byte is 0.8 ns at 10 Gb/s) and events fire at
 * the nanosecond, so back-to-back frames never drift.
 *
 * <p>The link trains when it is made, and again each time it is enabled: it is up
 * {@link LinkParameters#linkUpTimeNs()} later. Disabling it (pulling the cable) takes it down at once;
 * every frame then still queued or on the wire is lost, and frames sent while it is down are lost.
 */
public final class EthernetLink {

    /** Idle time after each frame, byte times (IEEE 802.3 §4.4.2, 96 bit times). */
    public static final int INTER_FRAME_GAP_BYTES = 12;
    /** The shortest frame a link accepts: destination and source address and EtherType. */
    public static final int MIN_HEADER = 14;

    /** Which way frames go. */
    public enum Direction { A_TO_B, B_TO_A }

    private final EventKernel kernel;
    private final LinkParameters parameters;
    /** The parameters' frame timings and propagation delay, worked out once: every frame needs them. */
    private final LinkParameters.Timing timing;
    private final long propagationPs;
    private final Port a;
    private final Port b;
    private final List<Runnable> linkListeners = new ArrayList<>();
    private boolean enabled = true;
    private boolean up;
    /** Bumped each time the link goes down: frames sent under an older generation are lost. */
    private long generation;

    public EthernetLink(EventKernel kernel, LinkParameters parameters) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.timing = parameters.timing();
        this.propagationPs = parameters.propagationDelayNs() * 1_000;
        this.a = new Port("A");
        this.b = new Port("B");
        a.peer = b;
        b.peer = a;
        train();
    }

    /** A link with {@link LinkParameters#DEFAULT}: 10 Gb/s, up 1 ms after it is made. */
    public EthernetLink(EventKernel kernel) {
        this(kernel, LinkParameters.DEFAULT);
    }

    public LinkParameters parameters() {
        return parameters;
    }

    public LinkEnd endA() {
        return a;
    }

    public LinkEnd endB() {
        return b;
    }

    public boolean isUp() {
        return up;
    }

    /**
     * Plugs ({@code true}) or pulls ({@code false}) the cable. Plugging starts training: the link is
     * up after the link-up time. Pulling takes it down now and loses every frame not yet delivered.
     */
    public void setEnabled(boolean enable) {
        if (enable == enabled) {
            return;
        }
        enabled = enable;
        if (enable) {
            train();
        } else {
            generation++;
            a.dropQueue();
            b.dropQueue();
            setUp(false);
        }
    }

    /** Runs {@code listener} (on the event kernel) whenever the link goes up or down: a card's link status change. */
    public void onLinkChange(Runnable listener) {
        linkListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** What the direction {@code d} has carried so far. */
    public LinkCounters counters(Direction d) {
        return (d == Direction.A_TO_B ? a : b).counters();
    }

    private void train() {
        long trainingGeneration = generation;
        if (parameters.linkUpTimeNs() == 0) {
            setUp(true);
            return;
        }
        kernel.schedule(parameters.linkUpTimeNs(), "ethernet link up", () -> {
            if (enabled && generation == trainingGeneration) {
                setUp(true);
            }
        });
    }

    private void setUp(boolean value) {
        if (up == value) {
            return;
        }
        up = value;
        for (Runnable l : linkListeners) {
            l.run();
        }
    }

    /** One end: its transmitter sends towards {@link #peer}; frames from the peer come to {@link #receiver}. */
    private final class Port implements LinkEnd {
        private final String deliverLabel;
        private Port peer;
        private FrameReceiver receiver;
        private long freeAtPs;
        private long frames;
        private long bytes;
        private long delivered;
        private long lostLinkDown;
        private long unclaimed;
        private long busyPs;
        /** Delivery events that have run, for reuse (a frame in flight holds one; last in, first out). */
        private final ArrayDeque<Delivery> freeDeliveries = new ArrayDeque<>();

        Port(String name) {
            this.deliverLabel = "ethernet deliver from " + name;
        }

        @Override
        public long transmit(byte[] frame) {
            return transmit(frame, null);
        }

        @Override
        public long transmit(byte[] frame, FrameArrays arrays) {
            if (frame.length < MIN_HEADER) {
                throw new IllegalArgumentException("frame of " + frame.length
                        + " bytes has no Ethernet header (destination, source, EtherType: 14 bytes)");
            }
            long nowPs = kernel.now() * 1_000;
            if (!up) {
                lostLinkDown++;
                giveBack(frame, arrays);
                return kernel.now();
            }
            long start = Math.max(nowPs, freeAtPs);
            long duration = timing.framePicoseconds(frame.length);
            freeAtPs = start + duration;
            busyPs += duration;
            frames++;
            bytes += frame.length;
            long lastBitPs = start + timing.lastBitPicoseconds(frame.length) + propagationPs;
            kernel.scheduleAt(Math.ceilDiv(lastBitPs, 1_000), deliverLabel, delivery(frame, arrays, generation));
            // Rounded down: a sender that transmits again at this time keeps the wire busy back to back.
            return Math.floorDiv(freeAtPs, 1_000);
        }

        /** A delivery event for {@code frame}, from the free list when one is there (no allocation per frame). */
        private Delivery delivery(byte[] frame, FrameArrays arrays, long sentIn) {
            Delivery d = freeDeliveries.pollLast();
            if (d == null) {
                d = new Delivery();
            }
            d.frame = frame;
            d.arrays = arrays;
            d.sentIn = sentIn;
            return d;
        }

        /** The event that delivers one frame; back on the free list before the receiver runs. */
        private final class Delivery implements Runnable {
            private byte[] frame;
            /** Where the frame's array goes back to when its receiver is done, or null. */
            private FrameArrays arrays;
            private long sentIn;

            @Override
            public void run() {
                byte[] f = frame;
                FrameArrays a = arrays;
                long g = sentIn;
                frame = null;
                arrays = null;
                freeDeliveries.addLast(this);
                deliver(f, a, g);
            }
        }

        private void deliver(byte[] frame, FrameArrays arrays, long sentIn) {
            if (sentIn != generation) {
                lostLinkDown++;
                giveBack(frame, arrays);
                return;
            }
            FrameReceiver r = peer.receiver;
            if (r == null) {
                unclaimed++;
                giveBack(frame, arrays);
                return;
            }
            delivered++;
            if (arrays == null) {
                r.receive(frame);
            } else {
                r.receive(frame, arrays);
            }
        }

        private static void giveBack(byte[] frame, FrameArrays arrays) {
            if (arrays != null) {
                arrays.giveBack(frame);
            }
        }

        /** The link went down: the transmitter stops, and what was queued never starts. */
        void dropQueue() {
            long nowPs = kernel.now() * 1_000;
            if (freeAtPs > nowPs) {
                busyPs -= freeAtPs - nowPs;
                freeAtPs = nowPs;
            }
        }

        @Override
        public void onReceive(FrameReceiver r) {
            this.receiver = Objects.requireNonNull(r, "receiver");
        }

        @Override
        public void onLinkChange(Runnable listener) {
            EthernetLink.this.onLinkChange(listener);
        }

        @Override
        public boolean linkUp() {
            return up;
        }

        @Override
        public long bitsPerSecond() {
            return parameters.bitsPerSecond();
        }

        LinkCounters counters() {
            return new LinkCounters(frames, bytes, delivered, lostLinkDown, unclaimed, busyPs);
        }
    }
}
