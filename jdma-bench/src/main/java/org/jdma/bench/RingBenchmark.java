package org.jdma.bench;

import java.util.concurrent.TimeUnit;
import org.jdma.bench.ring.DeviceOnlyRoundTrip;
import org.jdma.bench.ring.DisruptorRoundTrip;
import org.jdma.bench.ring.JctoolsRoundTrip;
import org.jdma.bench.ring.JdmaRoundTrip;
import org.jdma.bench.ring.RawDescriptorRoundTrip;
import org.jdma.bench.ring.RoundTrip;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Descriptor round trips through a 128-entry ring with the consumer on a second thread: the JMH
 * thread submits {@code batch} descriptors, the consumer carries each out and publishes its
 * completion, the JMH thread drains until all {@code batch} are back. One invocation moves
 * {@link #DESCRIPTORS} descriptors ({@code DESCRIPTORS / batch} round trips), so the score is
 * descriptors per second, submitted and drained, for every batch size.
 *
 * <p>{@code jdmaRing}: the copy-engine driver's {@code CopyRing} and the copy engine's device thread (NOOP
 * descriptors, 64 bytes each in guest RAM, doorbell by MMIO, completion records with the status
 * byte published last). Peers in the same run: {@code jctools} (two SPSC queues, request and
 * completion) and {@code disruptor} (one ring, the consumer's sequence as completion).
 * {@code jdmaMachineOnly} is a diagnostic: the same device thread without the driver's ring.
 * {@code rawDescriptorRing} is the format's floor: the same 64-byte descriptors and 32-byte
 * records between two threads with nothing modeled ({@link RawDescriptorRoundTrip}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@OperationsPerInvocation(RingBenchmark.DESCRIPTORS)
public class RingBenchmark {

    /** Descriptors per invocation: a whole number of batches for every batch size. */
    public static final int DESCRIPTORS = 32;

    /** One harness per trial: its consumer thread runs from setup to teardown. */
    @State(Scope.Thread)
    public abstract static class Harness {
        @Param({"1", "32"})
        public int batch;

        RoundTrip roundTrip;

        abstract RoundTrip create();

        @Setup(Level.Trial)
        public void setUp() {
            if (DESCRIPTORS % batch != 0 || batch >= RoundTrip.CAPACITY) {
                throw new IllegalArgumentException("batch must divide " + DESCRIPTORS + " and be below "
                        + RoundTrip.CAPACITY + ", was " + batch);
            }
            roundTrip = create();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            roundTrip.close();
        }

        final int run() {
            int statusSum = 0;
            for (int i = 0; i < DESCRIPTORS; i += batch) {
                statusSum += roundTrip.roundTrip(batch);
            }
            if (statusSum != DESCRIPTORS * RoundTrip.STATUS_SUCCESS) {
                throw new IllegalStateException("completion statuses summed to " + statusSum + ", expected "
                        + DESCRIPTORS * RoundTrip.STATUS_SUCCESS + " (every descriptor SUCCESS)");
            }
            return statusSum;
        }
    }

    @State(Scope.Thread)
    public static class Jctools extends Harness {
        @Override RoundTrip create() { return new JctoolsRoundTrip(); }
    }

    @State(Scope.Thread)
    public static class Disruptor extends Harness {
        @Override RoundTrip create() { return new DisruptorRoundTrip(); }
    }

    @State(Scope.Thread)
    public static class Jdma extends Harness {
        @Override RoundTrip create() { return new JdmaRoundTrip(); }
    }

    @Benchmark
    public int jdmaRing(Jdma h) {
        return h.run();
    }

    /**
     * jdma's machine alone (the device thread fed by a minimal driver, no ring protocol): not a
     * deliverable, it attributes {@code jdmaRing}'s cost to the machine or to the engine.
     */
    @State(Scope.Thread)
    public static class DeviceOnly extends Harness {
        @Override RoundTrip create() { return new DeviceOnlyRoundTrip(); }
    }

    @Benchmark
    public int jdmaMachineOnly(DeviceOnly h) {
        return h.run();
    }

    /** The ring format with nothing modeled: not a deliverable, the floor under {@code jdmaRing}. */
    @State(Scope.Thread)
    public static class RawDescriptors extends Harness {
        @Override RoundTrip create() { return new RawDescriptorRoundTrip(); }
    }

    @Benchmark
    public int rawDescriptorRing(RawDescriptors h) {
        return h.run();
    }

    @Benchmark
    public int jctools(Jctools h) {
        return h.run();
    }

    @Benchmark
    public int disruptor(Disruptor h) {
        return h.run();
    }
}
