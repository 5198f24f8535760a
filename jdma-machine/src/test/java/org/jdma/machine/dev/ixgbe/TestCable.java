package org.jdma.machine.dev.ixgbe;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.net.FrameArrays;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.time.EventKernel;

/**
 * A test double for a full-duplex cable: two {@link LinkEnd}s wired back to back on the event
 * kernel. Each end sends one frame after the other; a frame occupies the wire for its bytes plus
 * {@link LinkEnd#WIRE_OVERHEAD_BYTES} and arrives at the far end when its last bit (and gap) has
 * left. Each end records the frames it sent, with their arrival times at the far end.
 */
final class TestCable {

    /** A frame as it crossed the cable. */
    record Sent(byte[] frame, long arrivalNs) { }

    final End a;
    final End b;
    private final EventKernel kernel;
    private final long bitsPerSecond;
    boolean up = true;

    TestCable(EventKernel kernel, long bitsPerSecond) {
        this.kernel = kernel;
        this.bitsPerSecond = bitsPerSecond;
        this.a = new End();
        this.b = new End();
        a.peer = b;
        b.peer = a;
    }

    /** Wire time of a frame of {@code length} bytes (FCS excluded), ns. */
    long wireNs(int length) {
        return (long) Math.ceil((length + LinkEnd.WIRE_OVERHEAD_BYTES) * 8 * 1e9 / bitsPerSecond);
    }

    final class End implements LinkEnd {
        End peer;
        /** Keeps nothing: a frame whose sender reuses its arrays goes back at once. */
        FrameReceiver receiver = FrameReceiver.keepingNone(f -> { });
        long busyUntil;
        /** Copies of the frames sent (a sender may reuse its arrays), with their arrival times. */
        final List<Sent> sent = new ArrayList<>();
        /** The arrays themselves, as they were handed to this end. */
        final List<byte[]> sentArrays = new ArrayList<>();
        /** Copies of the frames that arrived here. */
        final List<byte[]> received = new ArrayList<>();

        @Override
        public long transmit(byte[] frame) {
            return transmit(frame, null);
        }

        @Override
        public long transmit(byte[] frame, FrameArrays arrays) {
            if (frame.length < 14) {
                throw new IllegalArgumentException("frame of " + frame.length + " bytes has no Ethernet header");
            }
            if (!up) {
                if (arrays != null) {
                    arrays.giveBack(frame);
                }
                return kernel.now();
            }
            long done = Math.max(kernel.now(), busyUntil) + wireNs(frame.length);
            busyUntil = done;
            byte[] copy = frame.clone();
            sent.add(new Sent(copy, done));
            sentArrays.add(frame);
            kernel.scheduleAt(done, "cable", () -> {
                peer.received.add(copy);
                if (arrays == null) {
                    peer.receiver.receive(frame);
                } else {
                    peer.receiver.receive(frame, arrays);
                }
            });
            return done;
        }

        @Override
        public void onReceive(FrameReceiver r) {
            receiver = r;
        }

        @Override
        public boolean linkUp() {
            return up;
        }

        @Override
        public long bitsPerSecond() {
            return TestCable.this.bitsPerSecond;
        }
    }
}
