package org.jdma.bench;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jdma.bench.ring.DeviceOnlyRoundTrip;
import org.jdma.bench.ring.InlineRingDevice;
import org.jdma.bench.ring.RoundTrip;
import org.jdma.kernel.drivers.memcpy.CompletionView;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.drivers.memcpy.CopyRing;
import org.jdma.spec.pci.RequesterId;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.machine.Machine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Where {@code RingBenchmark.jdmaRing}'s time per descriptor goes, each part on one thread (no
 * cross-core traffic), in nanoseconds per descriptor, batches of {@link RingBenchmark#DESCRIPTORS}:
 *
 * <ul>
 *   <li>{@code jdmaEngineSubmitDrain}: the copy-engine driver's {@code CopyRing} alone, submit and drain,
 *       against a stand-in device that completes each descriptor with one status store
 *       ({@link InlineRingDevice}): encoding, ring writes, doorbell call, status polls, record
 *       decode, each completion shown to a handler;</li>
 *   <li>{@code jdmaDeviceEventMode}: the copy engine processing NOOPs on the event kernel, fed by
 *       the minimal driver of {@code jdmaMachineOnly}: descriptor fetch and decode through the
 *       DmaPort, completion record, two events per descriptor, MMIO doorbell.</li>
 * </ul>
 *
 * Not comparisons: no peer does these parts. They say which side limits the threaded ring.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@OperationsPerInvocation(RingBenchmark.DESCRIPTORS)
public class RingPartsBenchmark {

    @State(Scope.Thread)
    public static class EngineOnly {
        Machine machine;
        CopyRing engine;
        final Descriptor[] batch = new Descriptor[RingBenchmark.DESCRIPTORS];
        int succeeded;
        /** Counts successful completions (the ring's allocation-free drain). */
        final CompletionView.Handler countSuccess = c -> succeeded += c.isSuccess() ? 1 : 0;

        @Setup(Level.Trial)
        public void setUp() {
            machine = Machine.createDefault();
            DmaMemory memory = new DmaMemory(machine.cpu(), BuddyFrameAllocator.fromMemoryMap(machine.memoryMap()));
            DmaMappingLayer dma = new DmaMappingLayer(memory, Optional.empty(), MappingOptions.DEFAULTS);
            DmaDevice device = new DmaDevice("inline", RequesterId.of(0, 4, 0), false);
            dma.attach(device);
            engine = new CopyRing(new DeviceDmaApi(dma, device), machine.cpu(), new InlineRingDevice(machine.cpu()), RoundTrip.CAPACITY);
            for (int i = 0; i < batch.length; i++) {
                batch[i] = Descriptor.noop();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
            machine.close();
        }
    }

    @Benchmark
    public int jdmaEngineSubmitDrain(EngineOnly s) {
        if (s.engine.submit(Arrays.asList(s.batch)) != s.batch.length) {
            throw new IllegalStateException("ring refused part of a batch with " + s.engine.size() + " in flight");
        }
        s.succeeded = 0;
        int n = s.engine.drain(s.countSuccess, RoundTrip.CAPACITY);
        if (n != s.batch.length || s.succeeded != n) {
            throw new IllegalStateException("drained " + n + " of " + s.batch.length + ", " + s.succeeded + " successful");
        }
        return n;
    }

    @State(Scope.Thread)
    public static class DeviceEventMode {
        DeviceOnlyRoundTrip roundTrip;

        @Setup(Level.Trial)
        public void setUp() {
            roundTrip = new DeviceOnlyRoundTrip(false);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            roundTrip.close();
        }
    }

    @Benchmark
    public int jdmaDeviceEventMode(DeviceEventMode s) {
        int sum = s.roundTrip.roundTrip(RingBenchmark.DESCRIPTORS);
        if (sum != RingBenchmark.DESCRIPTORS * RoundTrip.STATUS_SUCCESS) {
            throw new IllegalStateException("completion statuses summed to " + sum);
        }
        return sum;
    }
}
