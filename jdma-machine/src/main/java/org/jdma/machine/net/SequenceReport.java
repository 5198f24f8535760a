package org.jdma.machine.net;

import java.util.List;

/**
 * What a {@link SequenceChecker} saw of a numbered stream.
 *
 * @param received   numbered frames that arrived
 * @param distinct   distinct sequence numbers among them
 * @param lost       numbers below the expected count (or the highest seen, if no count was given)
 *                   that never arrived
 * @param reordered  frames that arrived after a higher number had already arrived
 * @param duplicated frames whose number had already arrived
 * @param firstLost  the lowest lost numbers, at most {@link SequenceChecker#SAMPLE} of them
 * @param other      frames that were not the generator's (other EtherType, or too short)
 */
public record SequenceReport(long received, long distinct, long lost, long reordered, long duplicated,
                             List<Long> firstLost, long other) {

    public SequenceReport {
        firstLost = List.copyOf(firstLost);
    }

    /** Nothing lost, reordered or duplicated. */
    public boolean clean() {
        return lost == 0 && reordered == 0 && duplicated == 0;
    }
}
