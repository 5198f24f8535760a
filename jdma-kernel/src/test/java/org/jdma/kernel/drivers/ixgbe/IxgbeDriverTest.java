package org.jdma.kernel.drivers.ixgbe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.debug.DmaDebugCategory;
import org.jdma.kernel.dma.debug.DmaDebugReport;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.net.NetStats;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.kernel.net.PacketReceiver;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.GeneratorRate;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.net.SequenceChecker;
import org.jdma.machine.net.SequenceReport;
import org.jdma.machine.net.TrafficGenerator;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 82599 driver on two ports cabled in a line: a generator sends into port A, the driver
 * forwards every frame A receives to port B's transmit queue, and B's wire ends in a sequence
 * checker and a capture. Every frame must arrive, in order, byte for byte, with the DMA checker
 * silent, whatever the IOMMU does and on a non-coherent machine.
 */
class IxgbeDriverTest {

    private static final RequesterId SLOT_A = RequesterId.of(0, 5, 0);
    private static final RequesterId SLOT_B = RequesterId.of(0, 6, 0);
    private static final long TIMEOUT_NS = 1_000_000_000L;

    private Machine machine;
    private Kernel kernel;
    private TrafficGenerator generator;
    private final List<byte[]> sent = new ArrayList<>();
    private final List<byte[]> arrived = new ArrayList<>();
    private final SequenceChecker checker = new SequenceChecker();
    private IxgbeDriver a;
    private IxgbeDriver b;
    private LinkEnd generatorEnd;

    /** Records what the generator puts on the wire before port A gets it. */
    private record Tee(LinkEnd end, List<byte[]> seen) implements LinkEnd {
        @Override public long transmit(byte[] frame) { return end.transmit(frame); }
        @Override public void onReceive(FrameReceiver r) { end.onReceive(f -> { seen.add(f.clone()); r.receive(f); }); }
        @Override public boolean linkUp() { return end.linkUp(); }
        @Override public long bitsPerSecond() { return end.bitsPerSecond(); }
    }

    private void boot(IommuMode mode, boolean coherent, int cpus, IxgbeOptions options, GeneratorConfig traffic) {
        MachineConfig config = MachineConfig.defaults().withCpus(cpus)
                .withDevice(IxgbePort.spec("eth0", SLOT_A))
                .withDevice(IxgbePort.spec("eth1", SLOT_B));
        if (!coherent) {
            config = config.withCache(CacheConfig.nonCoherent(64));
        }
        machine = new Machine(config);
        EthernetLink in = new EthernetLink(machine.eventKernel());
        EthernetLink out = new EthernetLink(machine.eventKernel());
        ((IxgbePort) machine.device("eth0")).attach(new Tee(in.endB(), sent));
        ((IxgbePort) machine.device("eth1")).attach(out.endA());
        out.endB().onReceive(f -> {
            arrived.add(f.clone());
            checker.receive(f);
        });
        generatorEnd = in.endA();
        generator = new TrafficGenerator(machine.eventKernel(), generatorEnd, traffic);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDmaDebug(true)
                .withDriver(IxgbeDriver.driver(options)));
        List<IxgbeDriver> drivers = kernel.drivers().drivers(IxgbeDriver.class);
        assertEquals(2, drivers.size(), kernel.drivers().failures().toString());
        a = drivers.get(0);
        b = drivers.get(1);
        assertTrue(a.linkUp() && b.linkUp(), "links up after the probe");
    }

    /**
     * Mixed sizes at a fifth of line rate: correctness, not throughput (a strict IOMMU's
     * invalidation per unmapped packet cannot keep up with line rate, and the card then drops).
     */
    private static GeneratorConfig frames(long count) {
        return GeneratorConfig.DEFAULT.withCount(count).withSizes(new FrameSizes.Cycle(60, 1514, 128, 590, 1024))
                .withRate(new GeneratorRate.LineFraction(0.2));
    }

    /** Forwards from A to B from A's NAPI poll; what B's ring cannot take is freed and counted. */
    private long[] forwardWithNapi() {
        long[] refused = new long[1];
        a.onReceive(0, (q, bufs, n) -> {
            int s = b.txBatch(0, bufs, n);
            for (int i = s; i < n; i++) {
                bufs[i].free();
                refused[0]++;
            }
        });
        return refused;
    }

    private void runUntilArrived(long count) {
        assertTrue(machine.clock().runUntil(() -> generator.finished() && arrived.size() >= count, TIMEOUT_NS),
                "arrived " + arrived.size() + " of " + count + ", generator sent " + generator.sent());
        machine.clock().runFor(1_000_000);
    }

    private void assertForwardedIntact(long count) {
        SequenceReport r = checker.report(count);
        assertTrue(r.clean(), r.toString());
        assertEquals(count, r.received(), r.toString());
        assertEquals(count, sent.size());
        for (int i = 0; i < count; i++) {
            assertArrayEquals(sent.get(i), arrived.get(i), "frame " + i);
        }
    }

    private void closeWithSilentChecker() {
        kernel.close();
        kernel.dmaDebug().orElseThrow().assertNoReports();
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldForwardEveryFrameInOrderAndIntactWithNapi(IommuMode mode) {
        boot(mode, true, 1, IxgbeOptions.DEFAULTS, frames(2000));
        long[] refused = forwardWithNapi();
        generator.start();
        runUntilArrived(2000);
        assertEquals(0, refused[0]);
        assertForwardedIntact(2000);
        NetStats sa = a.stats();
        NetStats sb = b.stats();
        assertEquals(2000, sa.rxPackets(), sa.toString());
        assertEquals(0, sa.rxDropped(), sa.toString());
        assertEquals(2000, sb.txPackets(), sb.toString());
        assertEquals(sa.rxBytes(), sb.txBytes(), "the same bytes in and out");
        closeWithSilentChecker();
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldForwardEveryFrameOnANonCoherentMachine(IommuMode mode) {
        boot(mode, false, 1, IxgbeOptions.DEFAULTS, frames(500));
        forwardWithNapi();
        generator.start();
        runUntilArrived(500);
        assertForwardedIntact(500);
        closeWithSilentChecker();
    }

    @Test
    void shouldForwardByPollingWithoutInterrupts() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS.withInterrupts(false), frames(1000));
        generator.start();
        PacketBuffer[] batch = new PacketBuffer[32];
        long deadline = machine.clock().now() + TIMEOUT_NS;
        while (arrived.size() < 1000 && machine.clock().now() < deadline) { // ixy-fwd's loop
            int n = a.rxBatch(0, batch, batch.length);
            int s = b.txBatch(0, batch, n);
            for (int i = s; i < n; i++) {
                batch[i].free();
            }
            machine.clock().runFor(2_000);
        }
        assertEquals(1000, arrived.size());
        machine.clock().runFor(1_000_000);
        b.cleanTx(0);
        assertForwardedIntact(1000);
        assertEquals(0, a.vectors() == null ? 0 : 1, "no vectors when polling");
        closeWithSilentChecker();
    }

    @Test
    void shouldKeepEachBuffersMappingAcrossRecycles() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS.withRing(64, 256), frames(3000));
        forwardWithNapi();
        generator.start();
        runUntilArrived(3000);
        assertForwardedIntact(3000);
        assertTrue(a.pool(0).entries() <= 256, a.pool(0).toString());
        assertEquals(a.pool(0).entries() / IxgbeDriver.CHUNK_ENTRIES, a.pool(0).mappings(),
                "one mapping per chunk, made once, however often 3000 frames recycled the buffers");
        closeWithSilentChecker();
    }

    @Test
    void shouldCountDropsWhenTheDriverStarvesTheRing() {
        boot(IommuMode.OFF, true, 1, IxgbeOptions.DEFAULTS.withInterrupts(false).withRing(64, 64), frames(200));
        generator.start();
        assertTrue(machine.clock().runUntil(generator::finished, TIMEOUT_NS));
        machine.clock().runFor(1_000_000);
        NetStats s = a.stats();
        assertEquals(200, s.rxPackets(), s.toString());
        assertEquals(200 - 63, s.rxDropped(), "the ring holds 63 buffers; the rest found no descriptor: " + s);
        PacketBuffer[] batch = new PacketBuffer[64];
        int n = a.rxBatch(0, batch, 64);
        assertEquals(0, n, "the pool of 64 has no spare buffer to repost: the driver cannot take any");
        assertEquals(0, a.pool(0).available());
        closeWithSilentChecker();
    }

    @Test
    void shouldTakeABurstInPollsOfAtMostTheBudgetAndReArmOnce() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS, GeneratorConfig.DEFAULT.withCount(200));
        generator.start();
        assertTrue(machine.clock().runUntil(generator::finished, TIMEOUT_NS));
        machine.clock().runFor(1_000_000);
        NapiStats before = a.napiStats(0);
        List<Integer> polls = new ArrayList<>();
        a.onReceive(0, (q, bufs, n) -> {
            polls.add(n);
            for (int i = 0; i < n; i++) {
                bufs[i].free();
            }
        });
        machine.clock().runFor(1_000_000);
        NapiStats after = a.napiStats(0);
        assertEquals(List.of(64, 64, 64, 8), polls);
        assertEquals(1, after.rearms() - before.rearms(), after.toString());
        assertEquals(3, after.fullPolls() - before.fullPolls(), after.toString());
        closeWithSilentChecker();
    }

    @Test
    void shouldTellTheReceiverWhenEachPollStartsAndEndsAndWhatItTook() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS, GeneratorConfig.DEFAULT.withCount(200));
        generator.start();
        assertTrue(machine.clock().runUntil(generator::finished, TIMEOUT_NS));
        machine.clock().runFor(1_000_000);
        List<String> events = new ArrayList<>();
        a.onReceive(0, new PacketReceiver() {
            @Override
            public void receive(int queue, PacketBuffer[] buffers, int count) {
                events.add("receive " + count);
                for (int i = 0; i < count; i++) {
                    buffers[i].free();
                }
            }

            @Override
            public void pollStarted(int queue) {
                events.add("start");
            }

            @Override
            public long pollEnded(int queue, int taken, int budget, int txCleaned) {
                events.add("end " + taken + "/" + budget);
                return 0;
            }
        });
        machine.clock().runFor(1_000_000);
        assertEquals(List.of("start", "receive 64", "end 64/64", "start", "receive 64", "end 64/64", "start", "receive 64",
                "end 64/64", "start", "receive 8", "end 8/64"), events);
        closeWithSilentChecker();
    }

    @Test
    void shouldModerateInterruptsWithEitr() {
        boot(IommuMode.OFF, true, 1, IxgbeOptions.DEFAULTS.withItr(0x050), GeneratorConfig.DEFAULT.withCount(3000));
        forwardWithNapi();
        generator.start();
        runUntilArrived(3000);
        NapiStats s = a.napiStats(0);
        assertTrue(a.vectors().dispatched(0) < 3000 / 10, "20 us between interrupts at 14.88 Mpps: " + s);
        assertTrue(s.largest() > 1, s.toString());
        closeWithSilentChecker();
    }

    @Test
    void shouldSendEachQueuesInterruptToItsCpuAndPollThere() {
        int etherType = GeneratorConfig.DEFAULT.etherType();
        boot(IommuMode.STRICT, true, 2, IxgbeOptions.DEFAULTS, GeneratorConfig.DEFAULT.withCount(100));
        assertEquals(2, a.queues(), "one queue pair per CPU");
        assertEquals(0, a.vectors().cpu(0));
        assertEquals(1, a.vectors().cpu(1));
        a.steerEtherType(0, etherType, 1);
        List<Integer> cpus = new ArrayList<>();
        long[] frames = new long[1];
        a.onReceive(1, (q, bufs, n) -> {
            cpus.add(kernel.platform().cpu().index());
            frames[0] += n;
            for (int i = 0; i < n; i++) {
                bufs[i].free();
            }
        });
        generator.start();
        assertTrue(machine.clock().runUntil(() -> frames[0] == 100, TIMEOUT_NS), frames[0] + " frames");
        assertTrue(cpus.stream().allMatch(c -> c == 1), cpus.toString());
        assertTrue(a.vectors().dispatched(1, 1) > 0);
        assertEquals(0, a.vectors().dispatched(1, 0));
        assertEquals(0, a.vectors().dispatched(0), "queue 0 saw nothing");
        closeWithSilentChecker();
    }

    @Test
    void shouldRefuseToUnmapATransmitBufferWhileItsDescriptorIsInFlight() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS.withInterrupts(false), frames(1));
        PacketBuffer buffer = a.allocate(0);
        buffer.put(new byte[60]);
        assertEquals(1, b.txBatch(0, new PacketBuffer[] {buffer}, 1));
        long address = b.tx(0).mappedAddress(0);
        DmaException e = assertThrows(DmaException.class,
                () -> b.context().dma().unmapSingle(address, 60, DmaDirection.TO_DEVICE));
        assertInstanceOf(DmaError.InUse.class, e.error(), e.toString());
        assertTrue(e.getMessage().contains("transmit descriptor 0 of queue 0"), e.getMessage());
        List<DmaDebugReport> reports = kernel.dmaDebug().orElseThrow().reports();
        assertEquals(List.of(DmaDebugCategory.UNMAP_WHILE_IN_USE), reports.stream().map(DmaDebugReport::category).toList());
        machine.clock().runFor(1_000_000);
        assertEquals(1, b.cleanTx(0), "sent, then cleaned: the hold is gone and the driver's unmap succeeds");
        assertEquals(1, arrived.size());
    }

    @Test
    void shouldRefuseABufferFreedTwiceOrToAnotherPool() {
        boot(IommuMode.OFF, true, 1, IxgbeOptions.DEFAULTS.withInterrupts(false), frames(1));
        PacketBuffer buffer = a.allocate(0);
        buffer.free();
        IllegalStateException twice = assertThrows(IllegalStateException.class, buffer::free);
        assertTrue(twice.getMessage().contains("freed twice"), twice.getMessage());
        PacketBuffer other = b.allocate(0);
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> a.pool(0).received(other, 10));
        assertTrue(foreign.getMessage().contains("belongs to pool ixgbe1 rx0"), foreign.getMessage());
        other.free();
        closeWithSilentChecker();
    }

    @Test
    void shouldSendWhatTheApplicationWroteIntoAnAllocatedBuffer() {
        boot(IommuMode.LAZY, false, 1, IxgbeOptions.DEFAULTS.withInterrupts(false), frames(1));
        byte[] frame = new byte[128];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 7 + 3);
        }
        PacketBuffer[] batch = new PacketBuffer[8];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = b.allocate(0);
            frame[127] = (byte) i;
            batch[i].put(frame);
        }
        assertEquals(8, b.txBatch(0, batch, 8));
        machine.clock().runFor(1_000_000);
        assertEquals(8, b.cleanTx(0));
        assertEquals(8, arrived.size());
        for (int i = 0; i < 8; i++) {
            frame[127] = (byte) i;
            assertArrayEquals(frame, arrived.get(i), "frame " + i);
        }
        assertEquals(8, b.stats().txPackets());
        closeWithSilentChecker();
    }

    @Test
    void shouldForwardOnTheSecondQueuePairWithBothPortsWorkingOnTheSecondCpu() {
        boot(IommuMode.STRICT, true, 2, IxgbeOptions.DEFAULTS, frames(600));
        a.steerEtherType(0, GeneratorConfig.DEFAULT.etherType(), 1);
        List<Integer> cpus = new ArrayList<>();
        a.onReceive(1, (q, bufs, n) -> {
            cpus.add(kernel.platform().cpu().index());
            int s = b.txBatch(1, bufs, n);
            for (int i = s; i < n; i++) {
                bufs[i].free();
            }
        });
        generator.start();
        runUntilArrived(600);
        assertForwardedIntact(600);
        assertTrue(!cpus.isEmpty() && cpus.stream().allMatch(c -> c == 1), cpus.toString());
        assertTrue(b.vectors().dispatched(1, 1) > 0, "B's transmit completions interrupt CPU 1");
        assertEquals(0, b.vectors().dispatched(0), "B's queue pair 0 did nothing");
        closeWithSilentChecker();
    }

    @Test
    void shouldForwardAgainAfterAReset() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS, frames(300));
        forwardWithNapi();
        generator.start();
        runUntilArrived(300);
        int mappings = a.pool(0).mappings();
        kernel.drivers().reset("ixgbe0");
        assertTrue(a.linkUp(), "the link trained again within the reset");
        assertEquals(mappings, a.pool(0).mappings(), "the pool and its mappings survive the reset");
        TrafficGenerator second = new TrafficGenerator(machine.eventKernel(), generatorEnd, frames(300));
        second.start();
        assertTrue(machine.clock().runUntil(() -> second.finished() && arrived.size() >= 600, TIMEOUT_NS),
                "arrived " + arrived.size());
        machine.clock().runFor(1_000_000);
        assertEquals(600, arrived.size());
        for (int i = 0; i < 600; i++) {
            assertArrayEquals(sent.get(i), arrived.get(i), "frame " + i);
        }
        closeWithSilentChecker();
    }

    @Test
    void shouldUnmapThePoolAtRemoveAndFreeABufferStillOutWhenItComesBack() {
        boot(IommuMode.STRICT, false, 1, IxgbeOptions.DEFAULTS.withInterrupts(false), GeneratorConfig.DEFAULT.withCount(1));
        generator.start();
        machine.clock().runFor(1_000_000);
        PacketBuffer[] received = new PacketBuffer[1];
        assertEquals(1, a.rxBatch(0, received, 1));
        PacketBuffer kept = a.allocate(0);
        assertTrue(kept.capacity() == IxgbeDriver.BUFFER_SIZE);
        kept.put(new byte[] {1, 2, 3, 4});
        kernel.close();
        kernel.dmaDebug().orElseThrow().assertNoReports(); // unmapped at remove: no mapping outlives its device
        assertTrue(a.pool(0).retiring(), a.pool(0).toString());
        assertEquals(2, a.pool(0).inUse(), "the application still has two of the pool's buffers");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, kept.toByteArray(), "what the CPU wrote survives the unmap (no for-CPU sync)");
        assertArrayEquals(sent.getFirst(), received[0].toByteArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.allocate(0));
        assertTrue(e.getMessage().contains("retired"), e.getMessage());
        kept.free();
        assertTrue(a.pool(0).retiring(), "one is still out");
        received[0].free();
        assertEquals(0, a.pool(0).inUse());
        assertTrue(!a.pool(0).retiring(), "the last one back frees the pool's memory");
    }

    @Test
    void shouldGiveTheCpuOnlyTheReceivedBytesOfABuffer() {
        boot(IommuMode.STRICT, true, 1, IxgbeOptions.DEFAULTS.withInterrupts(false), GeneratorConfig.DEFAULT.withCount(1));
        generator.start();
        machine.clock().runFor(1_000_000);
        PacketBuffer[] batch = new PacketBuffer[1];
        assertEquals(1, a.rxBatch(0, batch, 1));
        assertArrayEquals(sent.getFirst(), batch[0].toByteArray(), "the received bytes, synced for the CPU");
        assertTrue(kernel.dmaDebug().orElseThrow().reports().isEmpty());
        byte[] whole = new byte[batch[0].capacity()];
        batch[0].read(0, whole, 0, whole.length); // wrong: past the frame the buffer is still the device's
        List<DmaDebugReport> reports = kernel.dmaDebug().orElseThrow().reports();
        assertEquals(List.of(DmaDebugCategory.CPU_TOUCH_DEVICE_OWNED), reports.stream().map(DmaDebugReport::category).toList(),
                "reading bytes the pool did not sync for the CPU is reported: " + reports);
        batch[0].free();
    }
}
