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
 * With flows ({@link GeneratorConfig#flows()}), bytes 12.. are an IPv4/UDP packet instead
 * (RFC 791, RFC 768) of flow k:
 * <pre>
 *      12 | EtherType 0x0800                                              |
 *      14 | IPv4 header, 20 bytes: version 4, IHL 5, total length, TTL 64,
 *         | protocol 17, header checksum, source 10.0.k/256.k%256,
 *         | destination 10.255.0.1                                        |
 *      34 | UDP: source port 1024 + k, destination port 9, length, checksum 0 |
 *      42 | payload: seeded random bytes                                  |
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

    public static final int MAX_FLOWS = 65_536;
    public static final int IPV4 = 14;
    public static final int UDP = 34;
    public static final int FLOW_PAYLOAD = 42;
    /** The UDP destination port of every flow (discard, RFC 863). */
    public static final int FLOW_DESTINATION_PORT = 9;
    public static final int FLOW_FIRST_SOURCE_PORT = 1024;

    /** Writes the IPv4 and UDP headers of flow {@code k} into {@code frame} (at least {@link #FLOW_PAYLOAD} bytes). */
    static void putFlow(byte[] frame, int k) {
        int ipLength = frame.length - IPV4;
        frame[ETHERTYPE] = 0x08;
        frame[ETHERTYPE + 1] = 0x00;
        byte[] ip = {0x45, 0, (byte) (ipLength >>> 8), (byte) ipLength, 0, 0, 0, 0, 64, 17, 0, 0,
            10, 0, (byte) (k >>> 8), (byte) k, 10, (byte) 255, 0, 1};
        int sum = 0;
        for (int i = 0; i < ip.length; i += 2) {
            sum += (ip[i] & 0xFF) << 8 | (ip[i + 1] & 0xFF);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
        ip[10] = (byte) (sum >>> 8);
        ip[11] = (byte) sum;
        System.arraycopy(ip, 0, frame, IPV4, ip.length);
        int sourcePort = FLOW_FIRST_SOURCE_PORT + k % (65_536 - FLOW_FIRST_SOURCE_PORT);
        int udpLength = frame.length - UDP;
        byte[] udp = {(byte) (sourcePort >>> 8), (byte) sourcePort, 0, FLOW_DESTINATION_PORT,
            (byte) (udpLength >>> 8), (byte) udpLength, 0, 0};
        System.arraycopy(udp, 0, frame, UDP, udp.length);
    }

    /** The EtherType of {@code frame} (at least 14 bytes). */
    public static int etherType(byte[] frame) {
        return (frame[ETHERTYPE] & 0xFF) << 8 | (frame[ETHERTYPE + 1] & 0xFF);
    }
}
