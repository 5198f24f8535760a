package org.jdma.kernel.drivers.ixgbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.TrafficGenerator;
import org.jdma.spec.pci.RequesterId;

/**
 * Two 82599 ports with the driver bound, cabled in a line: a generator into port A (ixgbe0),
 * port B (ixgbe1) out to {@link #arrived}. Optional extra receiver of B's wire (a capture).
 */
final class TwoPorts implements AutoCloseable {

    static final long TIMEOUT_NS = 1_000_000_000L;

    final Machine machine;
    final Kernel kernel;
    final EthernetLink in;
    final EthernetLink out;
    final TrafficGenerator generator;
    final IxgbeDriver a;
    final IxgbeDriver b;
    final List<byte[]> arrived = new ArrayList<>();

    TwoPorts(IommuMode mode, int cpus, IxgbeOptions options, GeneratorConfig traffic, FrameReceiver alsoOut) {
        machine = new Machine(MachineConfig.defaults().withCpus(cpus)
                .withDevice(IxgbePort.spec("eth0", RequesterId.of(0, 5, 0)))
                .withDevice(IxgbePort.spec("eth1", RequesterId.of(0, 6, 0))));
        in = new EthernetLink(machine.eventKernel());
        out = new EthernetLink(machine.eventKernel());
        ((IxgbePort) machine.device("eth0")).attach(in.endB());
        ((IxgbePort) machine.device("eth1")).attach(out.endA());
        out.endB().onReceive(f -> {
            arrived.add(f.clone());
            if (alsoOut != null) {
                alsoOut.receive(f);
            }
        });
        generator = new TrafficGenerator(machine.eventKernel(), in.endA(), traffic);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDmaDebug(true)
                .withDriver(IxgbeDriver.driver(options)));
        List<IxgbeDriver> drivers = kernel.drivers().drivers(IxgbeDriver.class);
        assertEquals(2, drivers.size(), kernel.drivers().failures().toString());
        a = drivers.get(0);
        b = drivers.get(1);
    }

    /** A's NAPI poll sends each frame on B's queue pair {@code queue}; what B refuses is freed and counted. */
    long[] forward(int queue) {
        long[] refused = new long[1];
        a.onReceive(queue, (q, bufs, n) -> {
            int s = b.txBatch(queue, bufs, n);
            for (int i = s; i < n; i++) {
                bufs[i].free();
                refused[0]++;
            }
        });
        return refused;
    }

    void runUntilArrived(long count) {
        assertTrue(machine.clock().runUntil(() -> generator.finished() && arrived.size() >= count, TIMEOUT_NS),
                "arrived " + arrived.size() + " of " + count + ", generator sent " + generator.sent());
        machine.clock().runFor(1_000_000);
    }

    void closeWithSilentChecker() {
        kernel.close();
        kernel.dmaDebug().orElseThrow().assertNoReports();
    }

    @Override
    public void close() {
        kernel.close();
        machine.close();
    }
}
