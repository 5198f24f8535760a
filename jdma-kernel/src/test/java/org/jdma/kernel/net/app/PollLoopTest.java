package org.jdma.kernel.net.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.machine.Machine;
import org.jdma.machine.time.EventKernel;
import org.jdma.platform.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PollLoop}: modeled CPU time per poll, and idle polls accounted without being made. */
@Timeout(60) // an accounting loop without a bound would never return
class PollLoopTest {

    private static final long RUN_NS = 300_000;

    /** A step whose input queue machine events fill; a poll takes everything there. */
    private static final class QueueStep implements PollLoop.Step {
        private final Clock clock;
        private final boolean promisesIdleness;
        int pending;
        final List<Long> takenAt = new ArrayList<>();

        QueueStep(Clock clock, boolean promisesIdleness) {
            this.clock = clock;
            this.promisesIdleness = promisesIdleness;
        }

        @Override
        public CpuWork poll() {
            if (pending == 0) {
                return CpuWork.IDLE_POLL;
            }
            int n = pending;
            pending = 0;
            takenAt.add(clock.now());
            return CpuWork.batch(n, n);
        }

        @Override
        public boolean idleUntilMachineRuns() {
            return promisesIdleness && pending == 0;
        }
    }

    /** What a run left: counts and costs at every slice's end, when frames were taken, and how many events ran. */
    private record Outcome(List<String> atSliceEnds, List<Long> takenAt, long events) {
        Outcome withoutEvents() {
            return new Outcome(atSliceEnds, takenAt, 0);
        }
    }

    /**
     * Frames arrive in bursts of 1-3 at seeded random gaps of 0.2-6 µs (machine events); one CPU
     * polls; the machine runs in slices of {@code sliceNs}.
     */
    private static Outcome run(boolean fastForward, boolean promisesIdleness, long sliceNs) {
        try (Machine machine = Machine.createDefault()) {
            Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS);
            EventKernel events = machine.eventKernel();
            QueueStep step = new QueueStep(kernel.platform().clock(), promisesIdleness);
            SplittableRandom random = new SplittableRandom(7);
            long booted = events.now();
            for (long t = 1_000; t < RUN_NS; t += random.nextLong(200, 6_000)) {
                int burst = random.nextInt(1, 4);
                events.scheduleAt(booted + t, "arrival", () -> step.pending += burst);
            }
            PollLoop loop = new PollLoop(kernel.platform(), new KernelCounters(kernel), CpuCostModel.DEFAULTS, false);
            loop.fastForwardIdlePolls(fastForward);
            loop.add(0, step);
            loop.start();
            long before = events.executedEvents();
            List<String> atSliceEnds = new ArrayList<>();
            for (long t = 0; t < RUN_NS; t += sliceNs) {
                events.runFor(sliceNs);
                atSliceEnds.add(events.now() - booted + " ns: " + loop.polls(0) + " polls, " + loop.work(0) + ", " + loop.cost(0));
            }
            loop.stop();
            kernel.close();
            return new Outcome(atSliceEnds, step.takenAt, events.executedEvents() - before);
        }
    }

    @Test
    void shouldAccountSkippedIdlePollsExactlyAsIfEachHadBeenMade() {
        Outcome made = run(false, true, RUN_NS);
        Outcome accounted = run(true, true, RUN_NS);
        assertEquals(made.withoutEvents(), accounted.withoutEvents());
        assertTrue(made.takenAt().size() > 50, "frames were taken: " + made.takenAt().size());
        assertTrue(accounted.events() < made.events() / 3,
                "idle polls ran as events: " + accounted.events() + " events against " + made.events());
    }

    @Test
    void shouldNotAccountPollsBeyondTheEndOfTheRunInProgress() {
        // Slices of an odd length end between polls and between arrivals: what is counted at each
        // slice's end must be what the polls made by then did.
        assertEquals(run(false, true, 997).withoutEvents(), run(true, true, 997).withoutEvents());
    }

    @Test
    void shouldChargeEachCpuTheSumOfWhatItsPollsDidAtTheModelsPrices() {
        // At 1 GHz a cycle is a nanosecond, so every sum below is exact in a double.
        CpuCostModel model = CpuCostModel.DEFAULTS.withCpuGhz(1.0);
        try (Machine machine = Machine.createDefault()) {
            Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS);
            EventKernel events = machine.eventKernel();
            QueueStep step = new QueueStep(kernel.platform().clock(), true);
            long booted = events.now();
            for (int i = 1; i <= 40; i++) {
                int burst = i % 3 + 1;
                events.scheduleAt(booted + 2_000L * i, "arrival", () -> step.pending += burst);
            }
            PollLoop loop = new PollLoop(kernel.platform(), new KernelCounters(kernel), model, false);
            loop.add(0, step);
            loop.start();
            events.runFor(100_000);
            loop.stop();

            CpuWork work = loop.work(0);
            CpuCost cost = loop.cost(0);
            assertEquals(40, work.batches(), "one batch per arrival: each is taken before the next comes");
            assertEquals(80, work.rxPackets(), "bursts of 1, 2, 3 over 40 arrivals: " + work);
            assertEquals(work.rxPackets(), work.txPackets());
            assertEquals(loop.polls(0), work.batches() + work.idlePolls(), "every poll either moved packets or found none");
            assertEquals(150.0 * work.batches() + 50.0 * work.rxPackets() + 40.0 * work.txPackets(), cost.driverNs());
            assertEquals(150.0 * work.idlePolls(), cost.idleNs());
            assertEquals(0.0, cost.mappingNs() + cost.iommuNs() + cost.waitNs(), "the step maps nothing and waits for nothing");
            assertEquals(loop.totalCost(), cost, "one CPU: its cost is the total");
            kernel.close();
        }
    }

    @Test
    void shouldMakeEveryPollOfAStepThatPromisesNothing() {
        Outcome made = run(false, false, RUN_NS);
        Outcome fastForward = run(true, false, RUN_NS);
        assertEquals(made, fastForward, "a step that does not promise idleness is polled by events, every time");
    }
}
