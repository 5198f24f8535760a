package org.jdma.cli.nic;

import java.util.List;
import org.jdma.machine.net.SequenceReport;

/**
 * A finished run: its scenario, a sample per interval, the whole run, and what the far ends'
 * sequence checkers saw.
 *
 * @param sourceFrames frames the sources sent (generators, replayer, or the pktgen host)
 */
public record NicResult(NicScenario scenario, List<NicSample> intervals, NicSample total, SequenceReport sequenceAb,
                        SequenceReport sequenceBa, long sourceFrames) {

    public NicResult {
        intervals = List.copyOf(intervals);
    }
}
