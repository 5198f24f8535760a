package org.jdma.cli.soak;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.ixgbe.IxgbeDriver;
import org.jdma.kernel.net.app.CpuCostModel;
import org.jdma.kernel.net.app.Forwarder;
import org.jdma.kernel.net.app.KernelCounters;
import org.jdma.kernel.net.app.PollLoop;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.GeneratorFrameLayout;
import org.jdma.machine.net.GeneratorRate;
import org.jdma.machine.net.LinkCounters;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.net.TrafficGenerator;

/**
 * The NIC's share: the generator on port A's cable, ixy-fwd forwarding A to B on one CPU's poll
 * loop, the far end of B's cable checking every frame. Every frame that enters the wire is
 * recorded by sequence number with its CRC-32 ({@link MeteredEnd}); the far end crosses it off, so
 * at the end every frame is received intact, or in a drop counter of the link, the port or the
 * forwarder. A reset pauses the source, lets the pipeline drain, stops the poll loop and resets the
 * port through the driver core: the 82599 driver does not count what a reset throws away.
 */
final class NicWork {

    /** How long after the source pauses the frames in flight get to arrive, ns. */
    static final long DRAIN_NS = 500_000;
    /** How long a stopped poll loop's last scheduled polls get to fire before a reset, ns. */
    static final long LOOP_STOP_NS = 50_000;
    /** Which received frame the sabotage hooks pick: one to drop, another to corrupt. */
    private static final long DROPPED_FRAME = 100;
    private static final long CORRUPTED_FRAME = 200;

    private final Kernel kernel;
    private final Machine machine;
    private final SoakConfig config;
    private final IxgbeDriver a;
    private final IxgbeDriver b;
    private final IxgbePort portA;
    private final IxgbePort portB;
    private final EthernetLink in;
    private final EthernetLink out;
    private final MeteredEnd source;
    private final TrafficGenerator generator;
    private final Forwarder forwarder;
    private final PollLoop loop;
    private final Map<Long, Long> inFlight = new HashMap<>();

    long received;
    long receivedBytes;
    long corrupted;
    long unexpected;
    long resets;
    private long arrivals;

    NicWork(Kernel kernel, Machine machine, SoakConfig config, EthernetLink in, EthernetLink out) {
        this.kernel = kernel;
        this.machine = machine;
        this.config = config;
        this.in = in;
        this.out = out;
        List<IxgbeDriver> ports = kernel.drivers().drivers(IxgbeDriver.class);
        if (ports.size() != 2) {
            throw new IllegalStateException("the 82599 driver did not bind both ports: " + kernel.drivers().failures());
        }
        this.a = ports.get(0);
        this.b = ports.get(1);
        this.portA = (IxgbePort) machine.device(SoakRig.ETH0);
        this.portB = (IxgbePort) machine.device(SoakRig.ETH1);
        this.source = new MeteredEnd(in.endA());
        out.endB().onReceive(this::arrive);
        GeneratorConfig traffic = GeneratorConfig.DEFAULT.withSizes(new FrameSizes.Fixed(config.frameBytes()))
                .withRate(new GeneratorRate.LineFraction(config.lineFraction()));
        this.generator = new TrafficGenerator(machine.eventKernel(), source, traffic);
        KernelCounters counters = new KernelCounters(kernel);
        this.loop = new PollLoop(kernel.platform(), counters, CpuCostModel.DEFAULTS, counters.translated(SoakRig.SLOT_ETH0));
        this.forwarder = new Forwarder(a, 0, b, 0, Forwarder.BATCH);
        loop.add(kernel.platform().cpus().size() - 1, forwarder);
    }

    void start() {
        generator.start();
        loop.start();
    }

    /** Stops the source (frames it makes are not put on the wire) and lets what is in flight arrive. */
    void pauseAndDrain() {
        source.paused = true;
        machine.clock().runFor(DRAIN_NS);
    }

    /** With the source paused and drained: resets port A or B ({@code pick} even or odd) with the poll loop stopped. */
    void reset(int pick) {
        loop.stop();
        machine.clock().runFor(LOOP_STOP_NS);
        IxgbeDriver d = (pick & 1) == 0 ? a : b;
        kernel.drivers().reset(d.name());
        resets++;
        loop.start();
        source.paused = false;
    }

    /** The end of the run: the source stops, the pipeline drains, the loop and the generator stop. */
    void stop() {
        pauseAndDrain();
        loop.stop();
        generator.stop();
        machine.clock().runFor(LOOP_STOP_NS);
    }

    private void arrive(byte[] frame) {
        arrivals++;
        if (arrivals == DROPPED_FRAME && config.sabotaged(Sabotage.DROP_FRAME)) {
            return;
        }
        if (arrivals == CORRUPTED_FRAME && config.sabotaged(Sabotage.CORRUPT_FRAME)) {
            frame = frame.clone();
            frame[frame.length - 1] ^= 0x01;
        }
        Long crc = inFlight.remove(GeneratorFrameLayout.sequence(frame));
        if (crc == null) {
            unexpected++;
            return;
        }
        received++;
        receivedBytes += frame.length;
        if (crc != crc(frame)) {
            corrupted++;
        }
    }

    private static long crc(byte[] frame) {
        CRC32 c = new CRC32();
        c.update(frame);
        return c.getValue();
    }

    /** Frames the link, the ports and the forwarder counted as dropped. */
    long countedDrops() {
        LinkCounters ab = in.counters(EthernetLink.Direction.A_TO_B);
        LinkCounters bOut = out.counters(EthernetLink.Direction.A_TO_B);
        long intoA = ab.delivered() - portA.framesReceived() - portA.framesWaiting();
        return intoA + ab.lostLinkDown() + ab.unclaimed() + bOut.lostLinkDown() + bOut.unclaimed() + forwarder.refused();
    }

    void report(SoakReport r) {
        long sent = source.sent;
        long drops = countedDrops();
        long missing = inFlight.size();
        r.figure("nic           %,d frames sent into eth0, %,d forwarded by the CPU, %,d received intact behind eth1 "
                        + "(%,d bytes), %,d counted drops, %d resets", sent, forwarder.forwarded(), received - corrupted,
                receivedBytes, drops, resets);
        r.check("nic: frames neither received nor counted as dropped", 0, missing - drops);
        r.check("nic: corrupted frames", 0, corrupted);
        r.check("nic: frames received that were never sent, or twice", 0, unexpected);
        r.check("nic: frames still waiting in port eth1's buffer", 0, portB.framesWaiting());
    }

    /** Port A's far end as the generator sees it: records each frame it puts on the wire, drops what comes while paused. */
    private final class MeteredEnd implements LinkEnd {
        private final LinkEnd wire;
        boolean paused;
        long sent;

        MeteredEnd(LinkEnd wire) {
            this.wire = wire;
        }

        @Override
        public long transmit(byte[] frame) {
            if (paused) {
                return machine.clock().now();
            }
            sent++;
            inFlight.put(GeneratorFrameLayout.sequence(frame), crc(frame));
            return wire.transmit(frame);
        }

        @Override
        public void onReceive(FrameReceiver receiver) {
            wire.onReceive(receiver);
        }

        @Override
        public boolean linkUp() {
            return wire.linkUp();
        }

        @Override
        public void onLinkChange(Runnable listener) {
            wire.onLinkChange(listener);
        }

        @Override
        public long bitsPerSecond() {
            return wire.bitsPerSecond();
        }
    }
}
