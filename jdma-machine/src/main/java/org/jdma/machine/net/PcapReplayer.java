package org.jdma.machine.net;

import java.io.IOException;
import java.util.Objects;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pcap.PcapLayout;
import org.jdma.spec.pcap.PcapReader;
import org.jdma.spec.pcap.PcapRecord;

/**
 * A far end that sends the frames of a pcap file into a link, one record at a time (the file is
 * never held in memory), either at the file's own spacing or back to back at line rate.
 *
 * <p>At the file's timestamps the first record goes at {@link #start()} and each later one so that
 * its last bit arrives at the same distance from the first one's as in the file (a capture stamps
 * a frame when its last bit arrived, as {@link PcapCapture} does), or when the transmitter is free
 * if it is still busy; a timestamp earlier than the previous one sends at once. At line rate each
 * record goes when the previous one has left (on schedule, and lost, while the link is down).
 *
 * <p>Records the snapshot length cut short are sent as stored (the link cannot know the missing
 * bytes) and counted; records shorter than an Ethernet header are skipped and counted. A format
 * error in the file ends the replay: the error is kept ({@link #error()}), the machine runs on.
 * Register {@link #onFinished} before {@link #start()}: an empty file finishes at once.
 */
public final class PcapReplayer {

    /** When each record goes. */
    public enum Pacing { FILE_TIMESTAMPS, LINE_RATE }

    private final EventKernel kernel;
    private final LinkEnd end;
    private final PcapReader reader;
    private final Pacing pacing;
    private final LinkParameters wire;
    private long startNs;
    private long firstTimestampNs = -1;
    /** Wire time to the last bit of the first record sent, ps: the file's times are last-bit times. */
    private long firstLastBitPs;
    private long previousDueNs;
    /** When the wire would be free at line rate, ps: paces a line-rate replay even while the link is down. */
    private long lineRatePs;
    private long sent;
    private long truncated;
    private long skipped;
    private boolean finished;
    private boolean started;
    private IOException error;
    /** The record to send next, read ahead so that its time is known when the previous one goes. */
    private PcapRecord next;
    private Runnable onFinished = () -> { };

    /**
     * @throws IllegalArgumentException when the file's link type is not Ethernet
     */
    public PcapReplayer(EventKernel kernel, LinkEnd end, PcapReader reader, Pacing pacing) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.end = Objects.requireNonNull(end, "end");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.pacing = Objects.requireNonNull(pacing, "pacing");
        this.wire = LinkParameters.DEFAULT.withBitsPerSecond(end.bitsPerSecond());
        if (reader.header().linkType() != PcapLayout.LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException("pcap link type is " + reader.header().linkType()
                    + ", only Ethernet (LINKTYPE_ETHERNET, 1) can be replayed into an Ethernet link");
        }
    }

    /** Runs {@code action} (on the event kernel) when the file is used up or a format error ended the replay. */
    public void onFinished(Runnable action) {
        this.onFinished = Objects.requireNonNull(action, "action");
    }

    /** Starts now: the first record goes at the current virtual time. */
    public void start() {
        if (started) {
            throw new IllegalStateException("replay already started");
        }
        started = true;
        startNs = kernel.now();
        previousDueNs = startNs;
        if (readAhead()) {
            kernel.schedule(0, "pcap replay", this::sendNext);
        }
    }

    private void sendNext() {
        int length = next.data().length;
        long freeNs = end.transmit(next.data());
        sent++;
        lineRatePs = Math.max(lineRatePs, kernel.now() * 1_000) + wire.framePicoseconds(length);
        if (readAhead()) {
            long due = Math.max(freeNs, pacing == Pacing.LINE_RATE ? Math.floorDiv(lineRatePs, 1_000) : dueAt(next));
            kernel.scheduleAt(Math.max(due, kernel.now()), "pcap replay", this::sendNext);
        }
    }

    /** Reads the next record worth sending into {@link #next}; false (and finished) at the end or on an error. */
    private boolean readAhead() {
        try {
            while (true) {
                PcapRecord r = reader.next();
                if (r == null) {
                    break;
                }
                if (r.data().length < EthernetLink.MIN_HEADER) {
                    skipped++;
                    continue;
                }
                if (firstTimestampNs < 0) {
                    firstTimestampNs = r.timestampNs();
                    firstLastBitPs = wire.lastBitPicoseconds(r.data().length);
                }
                if (r.truncated()) {
                    truncated++;
                }
                next = r;
                return true;
            }
        } catch (IOException e) {
            error = e;
        }
        next = null;
        finished = true;
        onFinished.run();
        return false;
    }

    /**
     * When {@code r} is due at the file's spacing: a capture stamps a frame when its last bit
     * arrived, so the frame starts its own wire time earlier (relative to the first record), never
     * before the previous record was due.
     */
    private long dueAt(PcapRecord r) {
        long offsetPs = Math.max(0, r.timestampNs() - firstTimestampNs) * 1_000
                - wire.lastBitPicoseconds(r.data().length) + firstLastBitPs;
        previousDueNs = Math.max(previousDueNs, startNs + Math.floorDiv(offsetPs, 1_000));
        return previousDueNs;
    }

    /** Frames sent into the link (lost ones included). */
    public long sent() {
        return sent;
    }

    /** Records sent shorter than their original length. */
    public long truncated() {
        return truncated;
    }

    /** Records shorter than an Ethernet header, not sent. */
    public long skipped() {
        return skipped;
    }

    public boolean finished() {
        return finished;
    }

    /** The format or read error that ended the replay, or null. */
    public IOException error() {
        return error;
    }
}
