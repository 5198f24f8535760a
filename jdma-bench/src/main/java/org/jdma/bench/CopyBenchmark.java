package org.jdma.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
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
 * Functional copy throughput: how fast the emulator moves bytes, in host wall-clock time, when the
 * kernel asks the copy engine for one MEMMOVE and waits for it ({@code jdmaDriverMemmove}),
 * against the host doing the same copy itself with {@code MemorySegment.copy} between two native
 * segments ({@code memorySegmentCopy}). One operation = one copy of {@code size} bytes; bytes/s =
 * score × size (BenchMain prints it).
 *
 * <p>The jdma path is the whole stack: {@code CopyEngineDriver.copy} encodes a descriptor into
 * the ring, rings the doorbell by MMIO, lets the event-driven machine run (fetch event, DmaPort
 * copy, completion event writing the record and the MSI-X message, interrupt handler) and drains
 * the completion. Trace recording is off and no bus monitor is attached, as in a plain run.
 *
 * <p>{@code jdmaDriverMemmove:modeledNs} is the machine time the copies took (the clock's advance
 * over each call), summed per wall second: 1e9 is real time, so above it the model runs faster
 * than the device it models.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CopyBenchmark {

    /** A byte pattern that makes a missed or misplaced copy visible in the teardown check. */
    static byte patternAt(long i) {
        return (byte) (i * 31 + 7);
    }

    @State(Scope.Thread)
    public static class DriverCopy {
        @Param({"4096", "65536", "1048576"})
        public int size;

        /** How the driver learns of the completion: MSI-X interrupt (its default) or polling the record. */
        @Param({"INTERRUPT", "POLLED"})
        public CopyEngineDriver.CompletionMode completion;

        Machine machine;
        Kernel kernel;
        CopyEngineDriver driver;
        DmaBuffer src;
        DmaBuffer dst;

        @Setup(Level.Trial)
        public void setUp() {
            machine = Machine.createDefault();
            if (machine.trace().enabled()) {
                throw new IllegalStateException("trace recording must be off for a throughput run");
            }
            kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withDriver(
                    CopyEngineDriver.driver(CopyEngineDriver.Options.DEFAULTS.withMode(completion))));
            driver = kernel.copyEngine();
            src = kernel.memory().allocate(size, 4096);
            dst = kernel.memory().allocate(size, 4096);
            byte[] bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                bytes[i] = patternAt(i);
            }
            src.write(0, bytes);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (long i : new long[] {0, size / 2, size - 1}) {
                if ((byte) dst.readByte(i) != patternAt(i)) {
                    throw new AssertionError("MEMMOVE left destination byte " + i + " wrong");
                }
            }
            src.close();
            dst.close();
            kernel.close();
            machine.close();
        }
    }

    @State(Scope.Thread)
    public static class SegmentCopy {
        @Param({"4096", "65536", "1048576"})
        public int size;

        Arena arena;
        MemorySegment src;
        MemorySegment dst;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            src = arena.allocate(size, 4096);
            dst = arena.allocate(size, 4096);
            for (long i = 0; i < size; i++) {
                src.set(ValueLayout.JAVA_BYTE, i, patternAt(i));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (long i : new long[] {0, size / 2, size - 1}) {
                if (dst.get(ValueLayout.JAVA_BYTE, i) != patternAt(i)) {
                    throw new AssertionError("MemorySegment.copy left destination byte " + i + " wrong");
                }
            }
            arena.close();
        }
    }

    /** Machine time the copies took, summed by JMH per wall second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Modeled {
        public long modeledNs;
    }

    @Benchmark
    public OpResult jdmaDriverMemmove(DriverCopy s, Modeled modeled) {
        long before = s.machine.eventKernel().now();
        OpResult r = s.driver.copy(s.src, s.dst, s.size);
        if (!r.isSuccess()) {
            throw new IllegalStateException("MEMMOVE of " + s.size + " bytes did not succeed: " + r);
        }
        modeled.modeledNs += s.machine.eventKernel().now() - before;
        return r;
    }

    @Benchmark
    public void memorySegmentCopy(SegmentCopy s) {
        MemorySegment.copy(s.src, 0, s.dst, 0, s.size);
    }
}
