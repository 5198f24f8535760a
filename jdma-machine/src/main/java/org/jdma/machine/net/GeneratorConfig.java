package org.jdma.machine.net;

import java.util.Objects;

/**
 * What a {@link TrafficGenerator} sends.
 *
 * @param sizes           frame lengths without FCS
 * @param rate            how fast
 * @param count           how many frames, then stop; {@link #UNLIMITED} to run until stopped
 * @param sequenceNumbers whether each frame carries its number ({@link GeneratorFrameLayout#SEQUENCE}),
 *                        for a {@link SequenceChecker} at the far end
 * @param destinationMac  48-bit destination address, first byte in bits 47:40
 * @param sourceMac       48-bit source address
 * @param etherType       EtherType of every frame
 * @param flows           0: frames as above; n &gt; 0: each frame is an IPv4/UDP packet of flow
 *                        {@code index mod n} ({@link GeneratorFrameLayout#putFlow}: its own source
 *                        address and ports), so that a receiver's RSS has flows to spread; needs
 *                        {@code sequenceNumbers} off (the IPv4 header sits where the number would)
 */
public record GeneratorConfig(FrameSizes sizes, GeneratorRate rate, long count, boolean sequenceNumbers,
                              long destinationMac, long sourceMac, int etherType, int flows) {

    /** Frames without flows. */
    public GeneratorConfig(FrameSizes sizes, GeneratorRate rate, long count, boolean sequenceNumbers,
                           long destinationMac, long sourceMac, int etherType) {
        this(sizes, rate, count, sequenceNumbers, destinationMac, sourceMac, etherType, 0);
    }

    public static final long UNLIMITED = Long.MAX_VALUE;

    /**
     * ixy's generator: 60-byte frames (64 with FCS) at line rate, numbered, without end, between
     * two locally administered unicast addresses.
     */
    public static final GeneratorConfig DEFAULT = new GeneratorConfig(new FrameSizes.Fixed(LinkEnd.MIN_FRAME),
            GeneratorRate.lineRate(), UNLIMITED, true, 0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L,
            GeneratorFrameLayout.ETHERTYPE_LOCAL_EXPERIMENTAL_1);

    public GeneratorConfig {
        Objects.requireNonNull(sizes, "sizes");
        Objects.requireNonNull(rate, "rate");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1 (UNLIMITED for no end), was " + count);
        }
        if ((destinationMac >>> 48) != 0 || (sourceMac >>> 48) != 0) {
            throw new IllegalArgumentException("MAC addresses are 48 bits");
        }
        if (etherType < 0x0600 || etherType > 0xFFFF) {
            throw new IllegalArgumentException(String.format(
                    "EtherType must be 0x0600..0xFFFF (below is an 802.3 length), was 0x%x", etherType));
        }
        if (flows < 0 || flows > GeneratorFrameLayout.MAX_FLOWS) {
            throw new IllegalArgumentException("flows must be 0.." + GeneratorFrameLayout.MAX_FLOWS + ", was " + flows);
        }
        if (flows > 0 && sequenceNumbers) {
            throw new IllegalArgumentException("flows need sequence numbers off: the IPv4 header takes their bytes");
        }
    }

    /** IPv4/UDP frames of {@code n} flows (0: none), sequence numbers off. */
    public GeneratorConfig withFlows(int n) {
        return new GeneratorConfig(sizes, rate, count, n == 0 && sequenceNumbers, destinationMac, sourceMac, etherType, n);
    }

    public GeneratorConfig withSizes(FrameSizes s) {
        return new GeneratorConfig(s, rate, count, sequenceNumbers, destinationMac, sourceMac, etherType, flows);
    }

    public GeneratorConfig withRate(GeneratorRate r) {
        return new GeneratorConfig(sizes, r, count, sequenceNumbers, destinationMac, sourceMac, etherType, flows);
    }

    public GeneratorConfig withCount(long n) {
        return new GeneratorConfig(sizes, rate, n, sequenceNumbers, destinationMac, sourceMac, etherType, flows);
    }

    public GeneratorConfig withSequenceNumbers(boolean on) {
        return new GeneratorConfig(sizes, rate, count, on, destinationMac, sourceMac, etherType, flows);
    }

    public GeneratorConfig withAddresses(long destination, long source) {
        return new GeneratorConfig(sizes, rate, count, sequenceNumbers, destination, source, etherType, flows);
    }

    public GeneratorConfig withEtherType(int type) {
        return new GeneratorConfig(sizes, rate, count, sequenceNumbers, destinationMac, sourceMac, type, flows);
    }
}
