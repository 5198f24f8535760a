package org.jdma.machine.net;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A receiver that checks the sequence numbers of a {@link TrafficGenerator}'s frames: which never
 * came, which came late (after a higher number), which came twice. Keeps one bit per number up to
 * the highest seen (1.25 MB per 10 million frames).
 */
public final class SequenceChecker implements FrameReceiver {

    /** How many lost numbers a report lists. */
    public static final int SAMPLE = 16;

    private final int etherType;
    private final BitSet seen = new BitSet();
    private long received;
    private long distinct;
    private long reordered;
    private long duplicated;
    private long other;
    private long highest = -1;

    /** Checks frames of {@code etherType} (the generator's), counts the rest as other traffic. */
    public SequenceChecker(int etherType) {
        this.etherType = etherType;
    }

    /** Checks frames of the generator's default EtherType. */
    public SequenceChecker() {
        this(GeneratorFrameLayout.ETHERTYPE_LOCAL_EXPERIMENTAL_1);
    }

    @Override
    public void receive(byte[] frame) {
        if (frame.length < GeneratorFrameLayout.PAYLOAD_AFTER_SEQUENCE
                || GeneratorFrameLayout.etherType(frame) != etherType) {
            other++;
            return;
        }
        long seq = GeneratorFrameLayout.sequence(frame);
        if (seq < 0 || seq >= Integer.MAX_VALUE) {
            // Out of what one bit per number can track: not a number this generator sent.
            other++;
            return;
        }
        received++;
        int i = (int) seq;
        if (seen.get(i)) {
            duplicated++;
            return;
        }
        seen.set(i);
        distinct++;
        if (seq < highest) {
            reordered++;
        } else {
            highest = seq;
        }
    }

    /** The report, counting as lost every number below the highest seen that never came. */
    public SequenceReport report() {
        return report(highest + 1);
    }

    /** The report, counting as lost every number below {@code expected} (frames the sender sent) that never came. */
    public SequenceReport report(long expected) {
        if (expected < 0 || expected > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("expected count must be 0.." + Integer.MAX_VALUE + ", was " + expected);
        }
        long present = seen.get(0, (int) expected).cardinality();
        List<Long> sample = new ArrayList<>();
        for (int i = seen.nextClearBit(0); i < expected && sample.size() < SAMPLE; i = seen.nextClearBit(i + 1)) {
            sample.add((long) i);
        }
        return new SequenceReport(received, distinct, expected - present, reordered, duplicated, sample, other);
    }
}
