package org.jdma.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.cache.WriteBackCache;
import org.jdma.machine.memory.PhysicalMemory;
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
 * Cost of the CPU path through the cache models, in host time: a bulk CPU read of {@code size}
 * bytes of RAM through the non-coherent write-back cache ({@code jdmaWriteBackLoad}; 64 KiB fits
 * the 256 KiB cache, so after warm-up every line hits; 1 MiB does not, so every line misses, is
 * filled from RAM and evicts), through the coherent cache ({@code jdmaCoherentLoad}), and the
 * host copying the same bytes itself ({@code memorySegmentCopy}). bytes/s = score × size.
 * No observer is attached and the speculative injector is off, as in a plain run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CacheBenchmark {

    static final long RAM = 4L << 20;

    @State(Scope.Thread)
    public static class Caches {
        @Param({"65536", "1048576"})
        public int size;

        @Param({"64", "128"})
        public int lineSize;

        Arena arena;
        MemorySegment ram;
        MemorySegment dst;
        CpuCache writeBack;
        CpuCache coherent;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            ram = arena.allocate(RAM, 4096);
            dst = arena.allocate(size, 4096);
            PhysicalMemory memory = new PhysicalMemory();
            memory.addRam("ram", 0, ram);
            writeBack = new WriteBackCache(memory, CacheConfig.nonCoherent(lineSize), new SplittableRandom(1));
            coherent = new CoherentCache(memory, lineSize);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public MemorySegment jdmaWriteBackLoad(Caches s) {
        s.writeBack.load(0, s.dst, 0, s.size);
        return s.dst;
    }

    @Benchmark
    public MemorySegment jdmaCoherentLoad(Caches s) {
        s.coherent.load(0, s.dst, 0, s.size);
        return s.dst;
    }

    @Benchmark
    public MemorySegment memorySegmentCopy(Caches s) {
        MemorySegment.copy(s.ram, 0, s.dst, 0, s.size);
        return s.dst;
    }
}
