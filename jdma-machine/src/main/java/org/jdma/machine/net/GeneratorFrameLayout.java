package org.jdma.machine.net;

/**
 * The frames a {@link TrafficGenerator} sends: an Ethernet II header, an optional sequence
 * number, then seeded random bytes up to the frame's length (IEEE 802.3 §3.1.1; no FCS, which the
 * link accounts for).
 *
 * <pre>
 * byte  0 | destination address (48)                                     |
 *       6 | source address (48)                                          |
 *      12 | EtherType (16), big-endian: 0x88B5 by default                |
 *      14 | sequence number (64), big-endian, from 0 (when enabled)      |
 *  14/22 | payload: seeded random bytes to the end of the frame         |
 * </pre>
 *
 * 0x88B5 is IEEE 802's "Local Experimental EtherType 1" (IEEE Std 802-2014 §9.2.2), for frames
 * no real protocol should claim. Multi-byte fields are in network byte order.
 */
public final class GeneratorFrameLayout {
    private GeneratorFrameLayout() { }

    public static final int DESTINATION = 0;
    public static final int SOURCE = 6;
    public static final int MAC_BYTES = 6;
    public static final int ETHERTYPE = 12;
    public static final int SEQUENCE = 14;
    public static final int SEQUENCE_BYTES = 8;
    /** Where the random payload starts when frames carry a sequence number. */
    public static final int PAYLOAD_AFTER_SEQUENCE = SEQUENCE + SEQUENCE_BYTES;
    /** Where it starts without one. */
    public static final int PAYLOAD_PLAIN = SEQUENCE;

    /** IEEE 802 Local Experimental EtherType 1. */
    public static final int ETHERTYPE_LOCAL_EXPERIMENTAL_1 = 0x88B5;

    /** The sequence number of {@code frame} (which must be at least {@link #PAYLOAD_AFTER_SEQUENCE} long). */
    public static long sequence(byte[] frame) {
        long v = 0;
        for (int i = 0; i < SEQUENCE_BYTES; i++) {
            v = (v << 8) | (frame[SEQUENCE + i] & 0xFF);
        }
        return v;
    }

    static void putSequence(byte[] frame, long sequence) {
        for (int i = SEQUENCE_BYTES - 1; i >= 0; i--) {
            frame[SEQUENCE + i] = (byte) sequence;
            sequence >>>= 8;
        }
    }

    /** The EtherType of {@code frame} (at least 14 bytes). */
    public static int etherType(byte[] frame) {
        return (frame[ETHERTYPE] & 0xFF) << 8 | (frame[ETHERTYPE + 1] & 0xFF);
    }
}
