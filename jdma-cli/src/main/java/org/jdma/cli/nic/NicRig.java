package org.jdma.cli.nic;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.ixgbe.IxgbeDriver;
import org.jdma.kernel.drivers.ixgbe.IxgbeOptions;
import org.jdma.kernel.drivers.ixgbe.NapiStats;
import org.jdma.kernel.net.app.CpuCost;
import org.jdma.kernel.net.app.CpuWork;
import org.jdma.kernel.net.app.Forwarder;
import org.jdma.kernel.net.app.KernelCounters;
import org.jdma.kernel.net.app.PacketGenerator;
import org.jdma.kernel.net.app.PollLoop;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.net.CountingSink;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.GeneratorFrameLayout;
import org.jdma.machine.net.GeneratorRate;
import org.jdma.machine.net.LinkCounters;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.net.LinkParameters;
import org.jdma.machine.net.PcapCapture;
import org.jdma.machine.net.PcapReplayer;
import org.jdma.machine.net.SequenceChecker;
import org.jdma.machine.net.SequenceReport;
import org.jdma.machine.net.TrafficGenerator;
import org.jdma.spec.pcap.PcapFileHeader;
import org.jdma.spec.pcap.PcapLayout;
import org.jdma.spec.pcap.PcapReader;
import org.jdma.spec.pcap.PcapWriter;
import org.jdma.spec.pci.RequesterId;

/**
 * A booted machine for one {@link NicScenario}: port A (eth0) whose cable's far end is the
 * traffic source (a generator, a pcap replayer) or, in pktgen, the counting end; port B (eth1)
 * whose far end counts, checks sequence numbers and captures; the 82599 driver polling (ixy's
 * mode) and the applications on a {@link PollLoop} per CPU, queue pair q on CPU q mod CPUs; or,
 * with {@link NicRxPath#NAPI}, the driver on MSI-X and the forwarders as NAPI receivers that each
 * queue's poll (a softirq on its CPU) hands its frames to.
 */
final class NicRig implements AutoCloseable {

    static final RequesterId SLOT_A = RequesterId.of(0, 5, 0);
    static final RequesterId SLOT_B = RequesterId.of(0, 6, 0);

    private final NicScenario scenario;
    private final Machine machine;
    private final Kernel kernel;
    private final PollLoop loop;
    private final List<Forwarder> forwarders = new ArrayList<>();
    private final List<NapiForwarder> napiForwarders = new ArrayList<>();
    /** Takes each NAPI forwarder off its queue: before the kernel removes the ports, no poll forwards to a removed port. */
    private final List<Runnable> napiDetach = new ArrayList<>();
    private final KernelCounters counters;
    private final List<PacketGenerator> hostGenerators = new ArrayList<>();
    private final List<TrafficGenerator> generators = new ArrayList<>();
    private final CountingSink sinkAb;
    private final CountingSink sinkBa;
    private final SequenceChecker checkerAb = new SequenceChecker();
    private final SequenceChecker checkerBa = new SequenceChecker();
    private final IxgbeDriver a;
    private final IxgbeDriver b;
    private final IxgbePort portA;
    private final IxgbePort portB;
    private final EthernetLink linkIn;
    private EthernetLink linkOut;
    private PcapReplayer replayer;
    private PcapCapture capture;

    NicRig(NicScenario s) throws IOException {
        this(s, m -> m);
    }

    /** {@code watch} sees the machine as soon as it is built (before the kernel boots). */
    NicRig(NicScenario s, java.util.function.UnaryOperator<Machine> watch) throws IOException {
        this.scenario = s;
        boolean twoPorts = s.mode() != NicMode.PKTGEN;
        MachineConfig config = MachineConfig.defaults().withSeed(s.seed()).withCpus(s.cpus())
                .withDevice(IxgbePort.spec("eth0", SLOT_A));
        if (twoPorts) {
            config = config.withDevice(IxgbePort.spec("eth1", SLOT_B));
        }
        if (s.nonCoherent()) {
            config = config.withCache(CacheConfig.nonCoherent(64));
        }
        machine = watch.apply(new Machine(config));
        sinkAb = new CountingSink(machine.eventKernel());
        sinkBa = new CountingSink(machine.eventKernel());
        EthernetLink in = new EthernetLink(machine.eventKernel());
        linkIn = in;
        portA = (IxgbePort) machine.device("eth0");
        portA.attach(in.endB());
        portB = twoPorts ? (IxgbePort) machine.device("eth1") : null;
        LinkEnd source = in.endA();
        if (twoPorts) {
            EthernetLink out = new EthernetLink(machine.eventKernel());
            linkOut = out;
            portB.attach(out.endA());
            capture = s.pcapOut() == null ? null : new PcapCapture(machine.eventKernel(),
                    PcapWriter.create(s.pcapOut(), PcapFileHeader.ethernet(ByteOrder.LITTLE_ENDIAN, true, PcapLayout.MAXIMUM_SNAPLEN)));
            out.endB().onReceive(FrameReceiver.keepingNone(f -> {
                sinkAb.receive(f);
                checkerAb.receive(f);
                if (capture != null) {
                    capture.receive(f);
                }
            }));
            source.onReceive(FrameReceiver.keepingNone(f -> {
                sinkBa.receive(f);
                checkerBa.receive(f);
            }));
            if (s.mode() == NicMode.FWD) {
                generators.add(new TrafficGenerator(machine.eventKernel(), source, traffic(s)));
                if (s.bidirectional()) {
                    generators.add(new TrafficGenerator(machine.eventKernel(), out.endB(), traffic(s)));
                }
            } else {
                replayer = new PcapReplayer(machine.eventKernel(), source, PcapReader.open(s.pcapIn()), s.pacing());
            }
        } else {
            source.onReceive(FrameReceiver.keepingNone(f -> {
                sinkAb.receive(f);
                checkerAb.receive(f);
            }));
        }
        IxgbeOptions options = IxgbeOptions.DEFAULTS.withInterrupts(s.rxPath() == NicRxPath.NAPI).withItr(s.eitrField())
                .withQueues(s.queues());
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(s.iommu()).withDriver(IxgbeDriver.driver(options)));
        List<IxgbeDriver> drivers = kernel.drivers().drivers(IxgbeDriver.class);
        if (drivers.size() != (twoPorts ? 2 : 1)) {
            throw new IllegalStateException("the 82599 driver did not bind every port: " + kernel.drivers().failures());
        }
        a = drivers.get(0);
        b = twoPorts ? drivers.get(1) : null;
        counters = new KernelCounters(kernel);
        loop = new PollLoop(kernel.platform(), counters, s.cost(), counters.translated(SLOT_A));
        addApplications(s);
    }

    private void addApplications(NicScenario s) {
        for (int q = 0; q < a.queues(); q++) {
            int cpu = q % s.cpus();
            if (b == null) {
                if (q == 0) { // one numbered stream, as ixy-pktgen on one queue
                    double pps = s.lineFraction() >= 1 ? 0
                            : s.lineFraction() * LinkParameters.DEFAULT.lineRatePps(s.wireFrameBytes());
                    PacketGenerator g = new PacketGenerator(a, q, template(s), GeneratorFrameLayout.SEQUENCE,
                            GeneratorFrameLayout.SEQUENCE_BYTES, s.count() == 0 ? Long.MAX_VALUE : s.count(), pps,
                            machine.clock()::now);
                    hostGenerators.add(g);
                    loop.add(cpu, g);
                }
                continue;
            }
            if (s.rxPath() == NicRxPath.NAPI) {
                receiveThroughNapi(a, b, q, s);
                receiveThroughNapi(b, a, q, s); // one way too: B's polls clean its transmit ring, and are charged
                continue;
            }
            Forwarder ab = new Forwarder(a, q, b, q, Forwarder.BATCH);
            forwarders.add(ab);
            loop.add(cpu, ab);
            if (s.bidirectional()) {
                Forwarder ba = new Forwarder(b, q, a, q, Forwarder.BATCH);
                forwarders.add(ba);
                loop.add(cpu, ba);
            }
        }
    }

    /** {@code in}'s queue {@code q} hands each NAPI poll's frames to a forwarder to {@code out}'s queue {@code q}. */
    private void receiveThroughNapi(IxgbeDriver in, IxgbeDriver out, int q, NicScenario s) {
        NapiForwarder f = new NapiForwarder(in, out, q, counters, s.cost(), counters.translated(SLOT_A),
                machine.clock()::now);
        napiForwarders.add(f);
        in.onReceive(q, f);
        napiDetach.add(() -> in.onReceive(q, null));
    }

    /** Every port's NAPI counters together (zero when polling). */
    NapiStats napiStats() {
        NapiStats sum = NapiStats.ZERO;
        if (scenario.rxPath() != NicRxPath.NAPI) {
            return sum;
        }
        for (IxgbeDriver d : b == null ? List.of(a) : List.of(a, b)) {
            for (int q = 0; q < d.queues(); q++) {
                sum = sum.plus(d.napiStats(q));
            }
        }
        return sum;
    }

    private static GeneratorConfig traffic(NicScenario s) {
        return GeneratorConfig.DEFAULT.withSizes(new FrameSizes.Fixed(s.wireFrameBytes()))
                .withRate(new GeneratorRate.LineFraction(s.lineFraction()))
                .withCount(s.count() == 0 ? GeneratorConfig.UNLIMITED : s.count()).withFlows(s.flows());
    }

    /** ixy-pktgen's frame: the generator's layout, payload from the seed. */
    private static byte[] template(NicScenario s) {
        byte[] f = new byte[s.wireFrameBytes()];
        new SplittableRandom(s.seed()).nextBytes(f);
        GeneratorConfig c = GeneratorConfig.DEFAULT;
        for (int i = 0; i < GeneratorFrameLayout.MAC_BYTES; i++) {
            f[GeneratorFrameLayout.DESTINATION + i] = (byte) (c.destinationMac() >>> (8 * (5 - i)));
            f[GeneratorFrameLayout.SOURCE + i] = (byte) (c.sourceMac() >>> (8 * (5 - i)));
        }
        f[GeneratorFrameLayout.ETHERTYPE] = (byte) (c.etherType() >>> 8);
        f[GeneratorFrameLayout.ETHERTYPE + 1] = (byte) c.etherType();
        return f;
    }

    /** Starts the sources and the applications now. */
    void start() {
        generators.forEach(TrafficGenerator::start);
        if (replayer != null) {
            replayer.start();
        }
        loop.start();
    }

    /** Whether every source has sent what it was asked to (never, for an unlimited run). */
    boolean sourcesFinished() {
        if (replayer != null) {
            return replayer.finished();
        }
        if (!hostGenerators.isEmpty()) {
            return hostGenerators.stream().allMatch(PacketGenerator::done);
        }
        return generators.stream().allMatch(TrafficGenerator::finished);
    }

    Machine machine() {
        return machine;
    }

    PollLoop loop() {
        return loop;
    }

    /** Frames the sources sent (the pktgen host's: handed to its ring). */
    long sourceFrames() {
        if (replayer != null) {
            return replayer.sent();
        }
        if (!hostGenerators.isEmpty()) {
            return hostGenerators.stream().mapToLong(PacketGenerator::sent).sum();
        }
        return generators.stream().mapToLong(TrafficGenerator::sent).sum();
    }

    /** Frames forwarded from each of port A's receive queues to B (fwd; empty otherwise), by queue. */
    List<Long> forwardedPerQueue() {
        List<Long> n = new ArrayList<>();
        for (Forwarder f : forwarders) {
            if (f.takesFrom(a)) {
                n.add(f.forwarded());
            }
        }
        for (NapiForwarder f : napiForwarders) {
            if (f.takesFrom(a)) {
                n.add(f.forwarded());
            }
        }
        return n;
    }

    SequenceReport sequenceAb() {
        return checkerAb.report();
    }

    SequenceReport sequenceBa() {
        return checkerBa.report();
    }

    long lastArrivalNs() {
        return Math.max(sinkAb.lastArrivalNs(), sinkBa.lastArrivalNs());
    }

    /**
     * The counters now, from the machine's and the applications' side only: reading the driver's
     * statistics registers would take modeled time and let the machine run.
     */
    NicTotals totals(long wallNs) {
        long drops = dropped(portA, linkIn.counters(EthernetLink.Direction.A_TO_B));
        long interrupts = interrupts(portA);
        if (portB != null) {
            drops += dropped(portB, linkOut.counters(EthernetLink.Direction.B_TO_A));
            interrupts += interrupts(portB);
        }
        for (Forwarder f : forwarders) {
            drops += f.refused();
        }
        CpuWork work = loop.totalWork();
        CpuCost cost = loop.totalCost();
        for (NapiForwarder f : napiForwarders) {
            drops += f.refused();
            work = work.plus(f.work());
            cost = cost.plus(f.cost());
        }
        long misses = 0;
        for (VtdUnit u : machine.remappingUnits()) {
            misses += u.counters().iotlbMisses();
        }
        return new NicTotals(machine.clock().now(), wallNs, sinkAb.frames(), sinkAb.bytes(), sinkBa.frames(), sinkBa.bytes(), drops,
                interrupts, misses, work, cost, napiStats());
    }

    /** Frames the wire delivered to {@code port} that it neither placed in a buffer nor still holds. */
    private static long dropped(IxgbePort port, LinkCounters into) {
        return into.delivered() - port.framesReceived() - port.framesWaiting();
    }

    private long interrupts(IxgbePort port) {
        long n = 0;
        for (int v = 0; v <= a.queues(); v++) {
            n += port.interruptsSignalled(v);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        loop.stop();
        generators.forEach(TrafficGenerator::stop);
        napiDetach.forEach(Runnable::run);
        try {
            if (capture != null) {
                capture.close();
            }
        } finally {
            kernel.close();
            machine.close();
        }
    }
}
