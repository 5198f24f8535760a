package org.jdma.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.ixgbe.IxgbeDriver;
import org.jdma.kernel.drivers.ixgbe.IxgbeOptions;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.net.app.CpuCostModel;
import org.jdma.kernel.net.app.Forwarder;
import org.jdma.kernel.net.app.KernelCounters;
import org.jdma.kernel.net.app.PollLoop;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.net.CountingSink;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.TrafficGenerator;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Simulation speed of {@code jdma run nic fwd} (issue 13, Performance): two 82599 ports cabled to
 * a line-rate generator and a counting sink, the kernel's driver polling with the IOMMU strict
 * ({@code -p iommu=OFF}, {@code LAZY} or {@code IDENTITY}: what the IOMMU's model costs the run),
 * ixy-fwd's loop on one CPU in modeled time ({@link PollLoop}). Each invocation lets the machine
 * run {@link #SLICE_NS} of modeled time; the auxiliary counters give, per wall second, the frames
 * that reached the far end ({@code forwarded}: modeled frames per wall second) and the modeled
 * microseconds ({@code modeledUs}: 1e6 per wall second is real time).
 *
 * <p>The targets: 1,518-byte frames at >= 1.0x real time of a 10 Gb/s link, 64-byte frames at
 * >= 0.25x. Note that with strict invalidation the modeled forwarder itself is below line rate, so
 * {@code forwarded} measures what the model forwards, and the generator's frames the card drops
 * are simulated too.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// The JVM as ./jdma runs it: the simulation's speed is what `jdma run` gives (under G1 the NIC
// forwarding runs about 10% slower on JDK 25; docs/BENCHMARKS.md, section N).
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class NicForwardBenchmark {

    /** Modeled time one invocation runs, ns. */
    static final long SLICE_NS = 100_000;

    @State(Scope.Thread)
    public static class Rig {
        /** Frame size with FCS. */
        @Param({"64", "1518"})
        public int frameBytes;

        /** The kernel's IOMMU mode; the goal is set for strict. */
        @Param({"STRICT"})
        public IommuMode iommu;

        Machine machine;
        Kernel kernel;
        CountingSink sink;
        PollLoop loop;

        @Setup(Level.Trial)
        public void boot() {
            RequesterId slotA = RequesterId.of(0, 5, 0);
            machine = new Machine(MachineConfig.defaults().withCpus(1)
                    .withDevice(IxgbePort.spec("eth0", slotA))
                    .withDevice(IxgbePort.spec("eth1", RequesterId.of(0, 6, 0))));
            EthernetLink in = new EthernetLink(machine.eventKernel());
            EthernetLink out = new EthernetLink(machine.eventKernel());
            ((IxgbePort) machine.device("eth0")).attach(in.endB());
            ((IxgbePort) machine.device("eth1")).attach(out.endA());
            sink = new CountingSink(machine.eventKernel());
            out.endB().onReceive(sink);
            TrafficGenerator generator = new TrafficGenerator(machine.eventKernel(), in.endA(),
                    GeneratorConfig.DEFAULT.withSizes(new FrameSizes.Fixed(frameBytes - 4)));
            kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(iommu)
                    .withDriver(IxgbeDriver.driver(IxgbeOptions.DEFAULTS.withInterrupts(false).withQueues(1))));
            List<IxgbeDriver> ports = kernel.drivers().drivers(IxgbeDriver.class);
            KernelCounters counters = new KernelCounters(kernel);
            loop = new PollLoop(kernel.platform(), counters, CpuCostModel.DEFAULTS, counters.translated(slotA));
            loop.add(0, new Forwarder(ports.get(0), 0, ports.get(1), 0, Forwarder.BATCH));
            generator.start();
            loop.start();
            machine.eventKernel().runFor(1_000_000); // rings full, steady state
        }

        @TearDown(Level.Trial)
        public void close() {
            loop.stop();
            kernel.close();
            machine.close();
        }
    }

    /** What one invocation moved, summed by JMH per wall second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Moved {
        public long forwarded;
        public long modeledUs;
    }

    @Benchmark
    public long jdmaForward(Rig rig, Moved moved) {
        return slice(rig.machine.eventKernel(), rig.sink, moved);
    }

    /** Runs {@code kernel} for {@link #SLICE_NS}; counts the modeled time and the frames {@code sink} got. */
    static long slice(EventKernel kernel, CountingSink sink, Moved moved) {
        long before = sink.frames();
        kernel.runFor(SLICE_NS);
        long n = sink.frames() - before;
        moved.forwarded += n;
        moved.modeledUs += SLICE_NS / 1_000;
        return n;
    }
}
