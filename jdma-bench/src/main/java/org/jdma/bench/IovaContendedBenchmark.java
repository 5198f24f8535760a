package org.jdma.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link IovaBenchmark} with 4 threads sharing one allocator: the tree serializes on its lock
 * (Linux's {@code iova_rbtree_lock}), the magazines mostly stay on each thread's slot. Scores are
 * the sum over the threads. On a machine with fewer than 4 cores the threads also compete for
 * CPUs, which says little about the locks: read these numbers with the core count beside them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(4)
public class IovaContendedBenchmark {

    @Benchmark
    public long jdmaCachedAllocFree(IovaBenchmark.Cached s, IovaBenchmark.Window w) {
        return w.cycle(s.allocator, s.pages);
    }

    @Benchmark
    public long treeAllocFree(IovaBenchmark.Tree s, IovaBenchmark.Window w) {
        return w.cycle(s.allocator, s.pages);
    }
}
