package org.jdma.bench;

import java.util.concurrent.TimeUnit;
import org.jdma.machine.time.EventKernel;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The event kernel alone, under the mix of events a forwarded frame makes (section P of
 * docs/BENCHMARKS.md counts 9.8 per 1,518-byte frame): a source ticking at the frame spacing,
 * each tick cascading into events at absolute times (the link's delivery, the transmit unit's
 * hand-over, the far end's delivery: the heap), events of a fixed delay (interrupt causes: a
 * lane), events for the current time, and a poll whose delay varies. The actions do nothing but
 * schedule the cascade, so the score is the kernel's own cost: {@code events} per wall second.
 * A diagnostic for changes to {@code EventKernel}, whose share of a forwarding run is 15-17%.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class EventKernelBenchmark {

    /** Modeled time one invocation runs, ns. */
    static final long SLICE_NS = 100_000;

    /** Spacing of 1,518-byte frames on a 10 Gb/s wire, ns (rounded). */
    static final long FRAME_NS = 1_230;

    @State(Scope.Thread)
    public static class Frames {
        EventKernel kernel;
        long sinkCount;
        private int pollStep;
        private final Runnable sink = () -> sinkCount++;
        private final Runnable handOver = () -> kernel.scheduleAt(kernel.now() + 51, "deliver to sink", sink);
        private final Runnable writeBackCause = () -> { };
        private final Runnable transmit = () -> {
            kernel.schedule(64, "tx wb", writeBackCause);
            kernel.scheduleAt(kernel.now() + 1_214, "tx hand-over", handOver);
        };
        private final Runnable invalidation = () -> { };
        private final Runnable forward = () -> {
            kernel.scheduleAt(kernel.now() + 37, "tx", transmit);
            kernel.schedule(0, "invalidation queue", invalidation);
        };
        private final Runnable receiveCause = () -> kernel.schedule(0, "poll (frame)", forward);
        private final Runnable delivery = () -> kernel.schedule(96, "rx cause", receiveCause);
        private final Runnable tick = new Runnable() {
            @Override
            public void run() {
                kernel.scheduleAt(kernel.now() + 507, "deliver to port", delivery);
                kernel.scheduleAt(kernel.now() + FRAME_NS, "generator", this);
            }
        };
        /** A poll loop's idle poll: the next one after a delay that varies with what it found. */
        private final Runnable poll = new Runnable() {
            @Override
            public void run() {
                pollStep = (pollStep + 1) & 7;
                kernel.schedule(400 + 37L * pollStep, "poll", this);
            }
        };

        @Setup(Level.Trial)
        public void start() {
            kernel = new EventKernel(1);
            kernel.schedule(0, "generator", tick);
            kernel.schedule(0, "poll", poll);
            kernel.runFor(1_000_000); // the cascade in its steady state
        }
    }

    /** Events run, summed by JMH per wall second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counted {
        public long events;
    }

    @Benchmark
    public long jdmaFrameEvents(Frames f, Counted c) {
        long n = f.kernel.runFor(SLICE_NS);
        c.events += n;
        return n;
    }
}
