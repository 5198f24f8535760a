package org.jdma.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
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

@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CopyBenchmark {

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
                src.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (dst.get(ValueLayout.JAVA_BYTE, size - 1) != (byte) (size - 1)) {
                throw new AssertionError("MemorySegment.copy left the destination wrong");
            }
            arena.close();
        }
    }

    @Benchmark
    public void memorySegmentCopy(SegmentCopy s) {
        MemorySegment.copy(s.src, 0, s.dst, 0, s.size);
    }
}
