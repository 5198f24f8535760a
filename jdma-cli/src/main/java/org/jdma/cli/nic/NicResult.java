package org.jdma.cli.nic;

import java.util.List;
import org.jdma.machine.net.SequenceReport;

/**
 * A finished run: its scenario, a sample per interval, the whole run, and what the far ends'
 * sequence checkers saw.
 *
 * @param sourceFrames frames the sources sent (generators, replayer, or the pktgen host)
 * @param forwardedAb  fwd: frames forwarded A to B from each of A's receive queues, by queue (empty otherwise)
 */
public record NicResult(NicScenario scenario, List<NicSample> intervals, NicSample total, SequenceReport sequenceAb,
                        SequenceReport sequenceBa, long sourceFrames, List<Long> forwardedAb) {

    public NicResult {
        intervals = List.copyOf(intervals);
        forwardedAb = List.copyOf(forwardedAb);
    }
}
