package org.jdma.machine.net;

/**
 * Named parameters of an Ethernet link.
 *
 * @param bitsPerSecond      the rate each direction runs at; 10 Gb/s is 10_000_000_000
 * @param propagationDelayNs time a bit takes from one end to the other (about 5 ns per metre of
 *                           fibre or copper), ns; 0 = ends next to each other
 * @param linkUpTimeNs       time from both ends being attached (or the link being enabled) to
 *                           the link being up, ns: the modeled autonegotiation and training a card
 *                           waits for before LINKS reports the link. Real 10GBASE links take tens
 *                           to hundreds of ms; the default is shorter so that runs start quickly
 */
public record LinkParameters(long bitsPerSecond, long propagationDelayNs, long linkUpTimeNs) {

    /** 10 Gb/s, no propagation delay, up 1 ms after both ends attach. */
    public static final LinkParameters DEFAULT = new LinkParameters(10_000_000_000L, 0, 1_000_000);

    /** Eight bits times picoseconds per second: a byte time in ps is this over the rate. */
    private static final long BIT_PICOSECONDS_PER_SECOND = 8_000_000_000_000L;

    public LinkParameters {
        if (bitsPerSecond < 1_000_000 || bitsPerSecond > 1_000_000_000_000L
                || BIT_PICOSECONDS_PER_SECOND % bitsPerSecond != 0) {
            throw new IllegalArgumentException("link rate must be 1 Mb/s..1 Tb/s with a byte time of whole picoseconds"
                    + " (8e12 / rate an integer, as for every Ethernet rate), was " + bitsPerSecond + " b/s");
        }
        if (propagationDelayNs < 0 || linkUpTimeNs < 0) {
            throw new IllegalArgumentException("propagation delay and link-up time must be >= 0 ns");
        }
    }

    public LinkParameters withBitsPerSecond(long bps) {
        return new LinkParameters(bps, propagationDelayNs, linkUpTimeNs);
    }

    public LinkParameters withPropagationDelayNs(long ns) {
        return new LinkParameters(bitsPerSecond, ns, linkUpTimeNs);
    }

    public LinkParameters withLinkUpTimeNs(long ns) {
        return new LinkParameters(bitsPerSecond, propagationDelayNs, ns);
    }

    /**
     * Byte times a frame of {@code frameBytes} (without FCS) occupies the wire: the frame padded to
     * {@link LinkEnd#MIN_FRAME} (a MAC pads short frames), plus {@link LinkEnd#WIRE_OVERHEAD_BYTES}.
     */
    public static long wireBytes(int frameBytes) {
        return Math.max(frameBytes, LinkEnd.MIN_FRAME) + (long) LinkEnd.WIRE_OVERHEAD_BYTES;
    }

    /** Picoseconds one byte lasts on the wire: 800 at 10 Gb/s. Exact (the constructor checks). */
    public long bytePicoseconds() {
        return BIT_PICOSECONDS_PER_SECOND / bitsPerSecond;
    }

    /** Picoseconds a frame of {@code frameBytes} (without FCS) occupies the wire, gap included: 67,200 for 60 bytes at 10 Gb/s. */
    public long framePicoseconds(int frameBytes) {
        return timing().framePicoseconds(frameBytes);
    }

    /**
     * Picoseconds from a frame's first preamble bit to its last FCS bit (its wire time without the
     * gap after it): 57,600 for 60 bytes at 10 Gb/s. The far end has the frame this much (plus the
     * propagation delay) after it started.
     */
    public long lastBitPicoseconds(int frameBytes) {
        return timing().lastBitPicoseconds(frameBytes);
    }

    /** The frame timings of this rate, with the byte time divided out once: for code that times every frame. */
    public Timing timing() {
        return new Timing(bytePicoseconds());
    }

    /**
     * Frame timings at a byte time of {@code bytePicoseconds}: what {@link #framePicoseconds} and
     * {@link #lastBitPicoseconds} give, without a 64-bit division per frame.
     */
    public record Timing(long bytePicoseconds) {

        /** {@link LinkParameters#framePicoseconds}. */
        public long framePicoseconds(int frameBytes) {
            return wireBytes(frameBytes) * bytePicoseconds;
        }

        /** {@link LinkParameters#lastBitPicoseconds}. */
        public long lastBitPicoseconds(int frameBytes) {
            return (wireBytes(frameBytes) - EthernetLink.INTER_FRAME_GAP_BYTES) * bytePicoseconds;
        }
    }

    /** Frames of {@code frameBytes} (without FCS) per second at full load: rate / (8 × wire bytes). */
    public double lineRatePps(int frameBytes) {
        return bitsPerSecond / (8.0 * wireBytes(frameBytes));
    }
}
