package org.jdma.cli.nic;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jdma.machine.Machine;

/**
 * Runs a {@link NicScenario} on a fresh {@link NicRig}: starts the sources and applications,
 * lets the machine run interval by interval, and samples the counters at each boundary. A run
 * with a count ends once the sources are done and the last frame has had {@link #DRAIN_NS} to
 * arrive; the totals then cover up to the last arrival.
 */
public final class NicRun {

    /** How long after the sources finish a counted run waits for frames still in flight, ns. */
    public static final long DRAIN_NS = 1_000_000;

    private NicRun() { }

    /** Runs {@code s}; {@code onInterval} sees each interval's sample as it ends. */
    public static NicResult run(NicScenario s, Consumer<NicSample> onInterval) throws IOException {
        return run(s, onInterval, m -> m);
    }

    /** As {@link #run(NicScenario, Consumer)}; {@code watch} sees the machine once it is built (a trace digest). */
    public static NicResult run(NicScenario s, Consumer<NicSample> onInterval, UnaryOperator<Machine> watch) throws IOException {
        try (NicRig rig = new NicRig(s, watch)) {
            var clock = rig.machine().eventKernel();
            rig.start();
            NicTotals start = rig.totals(System.nanoTime());
            NicTotals previous = start;
            long end = start.timeNs() + s.durationNs();
            List<NicSample> samples = new ArrayList<>();
            boolean counted = s.count() > 0 || s.mode() == NicMode.PCAP;
            while (clock.now() < end) {
                long next = Math.min(end, previous.timeNs() + s.intervalNs());
                if (counted) {
                    clock.runUntil(rig::sourcesFinished, next);
                    if (rig.sourcesFinished()) {
                        clock.runUntil(Math.min(end, clock.now() + DRAIN_NS));
                        NicTotals last = rig.totals(System.nanoTime());
                        long stop = Math.max(previous.timeNs() + 1, Math.min(clock.now(), rig.lastArrivalNs()));
                        last = new NicTotals(stop, last.wallNs(), last.framesAb(), last.bytesAb(), last.framesBa(), last.bytesBa(),
                                last.drops(), last.interrupts(), last.iotlbMisses(), last.work(), last.cost(), last.napi());
                        samples.add(emit(last.since(previous), onInterval));
                        previous = last;
                        break;
                    }
                } else {
                    clock.runUntil(next);
                }
                NicTotals now = rig.totals(System.nanoTime());
                samples.add(emit(now.since(previous), onInterval));
                previous = now;
            }
            return new NicResult(s, samples, previous.since(start), rig.sequenceAb(), rig.sequenceBa(), rig.sourceFrames(),
                    rig.forwardedPerQueue());
        }
    }

    private static NicSample emit(NicSample sample, Consumer<NicSample> onInterval) {
        onInterval.accept(sample);
        return sample;
    }
}
