package org.jdma.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.jdma.machine.net.CountingSink;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.net.FrameArrays;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.FrameSizes;
import org.jdma.machine.net.GeneratorConfig;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.net.TrafficGenerator;
import org.jdma.machine.time.EventKernel;
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
 * Parts of a forwarded frame measured alone, to check {@link NicForwardBenchmark}'s budget part by
 * part (real time of a 10 Gb/s link leaves 1,230 ns of wall time per 1,518-byte frame).
 *
 * <ul>
 *   <li>{@link #repeater}: the rig without the card: the same generator and counting sink, the two
 *       cables, and between them a repeater that sends each frame on as it arrives (no DMA, no
 *       driver, no IOMMU). What the far ends and the wires cost per frame: the floor of any card
 *       model in this rig. {@code modeledUs} per wall second, as in {@link NicForwardBenchmark}.</li>
 *   <li>{@link #byteMoves}: the bytes of one frame into a receive buffer and out of a transmit
 *       buffer (heap array to native memory and back, 2 KiB slots over 1 MiB, as a 512-entry ring's
 *       buffers), the two copies the card makes of every forwarded frame.</li>
 * </ul>
 * The other parts a frame requires are measured by their own benchmarks: the strict map and unmap
 * of the transmit buffer through the DMA API ({@code MapBenchmark.jdmaApiMapUnmap}) and the event
 * kernel's cost per event ({@link EventKernelBenchmark}). docs/BENCHMARKS.md, section Q, adds them up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"})
public class NicPartsBenchmark {

    /** Receive buffers of a 512-entry ring, 2 KiB each. */
    static final int SLOTS = 512;
    static final int SLOT_BYTES = 2048;

    /** Generator, cable, repeater, cable, sink: the forwarding rig with a card that costs nothing. */
    @State(Scope.Thread)
    public static class Wires {
        /** Frame size with FCS. */
        @Param({"64", "1518"})
        public int frameBytes;

        EventKernel kernel;
        CountingSink sink;

        @Setup(Level.Trial)
        public void start() {
            kernel = new EventKernel(1);
            EthernetLink in = new EthernetLink(kernel);
            EthernetLink out = new EthernetLink(kernel);
            LinkEnd onward = out.endA();
            in.endB().onReceive(new FrameReceiver() {
                @Override
                public void receive(byte[] frame) {
                    onward.transmit(frame);
                }

                @Override
                public void receive(byte[] frame, FrameArrays arrays) {
                    onward.transmit(frame, arrays);
                }
            });
            sink = new CountingSink(kernel);
            out.endB().onReceive(sink);
            new TrafficGenerator(kernel, in.endA(),
                    GeneratorConfig.DEFAULT.withSizes(new FrameSizes.Fixed(frameBytes - 4))).start();
            kernel.runFor(1_000_000); // links up, frames flowing
        }
    }

    @Benchmark
    public long repeater(Wires w, NicForwardBenchmark.Moved moved) {
        return NicForwardBenchmark.slice(w.kernel, w.sink, moved);
    }

    /** A frame on the wire and a ring's worth of buffers in native memory. */
    @State(Scope.Thread)
    public static class Buffers {
        @Param({"64", "1518"})
        public int frameBytes;

        Arena arena;
        MemorySegment ram;
        MemorySegment received;
        byte[] sent;
        MemorySegment sentSegment;
        int slot;

        @Setup(Level.Trial)
        public void allocate() {
            arena = Arena.ofShared();
            ram = arena.allocate((long) SLOTS * SLOT_BYTES, 64);
            byte[] wire = new byte[frameBytes - 4];
            for (int i = 0; i < wire.length; i++) {
                wire[i] = (byte) (i * 31);
            }
            received = MemorySegment.ofArray(wire);
            sent = new byte[wire.length];
            sentSegment = MemorySegment.ofArray(sent);
        }

        @TearDown(Level.Trial)
        public void free() {
            arena.close();
        }
    }

    /** One frame placed in a receive buffer, and the buffer before it read out for sending. */
    @Benchmark
    public byte byteMoves(Buffers b) {
        int s = b.slot;
        b.slot = (s + 1) & (SLOTS - 1);
        long length = b.received.byteSize();
        MemorySegment.copy(b.received, 0, b.ram, (long) s * SLOT_BYTES, length);
        long from = (long) ((s - 1) & (SLOTS - 1)) * SLOT_BYTES;
        MemorySegment.copy(b.ram, from, b.sentSegment, 0, length);
        return b.sent[(int) (length - 1)];
    }
}
