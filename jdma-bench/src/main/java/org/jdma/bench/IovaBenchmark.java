package org.jdma.bench;

import java.util.concurrent.TimeUnit;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;
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

/**
 * IOVA allocation + free of {@code pages} pages below 4 GiB (the 32-bit-first path every PCI map
 * takes), with Linux's per-CPU magazines ({@code jdmaCachedAllocFree}, {@code alloc_iova_fast} /
 * {@code free_iova_fast}) and without them ({@code treeAllocFree}, {@code alloc_iova} /
 * {@code __free_iova}), over an address space already holding {@value #LIVE} one-page
 * allocations, as a busy domain does. 256 pages is above the largest cached size (32 pages), so
 * there both go to the tree. The ratio column is cached time / tree time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class IovaBenchmark {

    static final int LIVE = 10_000;
    static final long LIMIT_PFN_32 = 0xF_FFFFL;

    @State(Scope.Thread)
    public abstract static class Space {
        @Param({"1", "16", "256"})
        public int pages;

        IovaAllocator allocator;

        abstract IovaAllocator create();

        @Setup(Level.Trial)
        public void setUp() {
            allocator = create();
            for (int i = 0; i < LIVE; i++) {
                if (allocator.allocate(1, LIMIT_PFN_32) == IovaAllocator.NONE) {
                    throw new IllegalStateException("could not prefill the IOVA space");
                }
            }
        }

        long allocFree() {
            long pfn = allocator.allocate(pages, LIMIT_PFN_32);
            if (pfn == IovaAllocator.NONE || (pages & (pages - 1)) == 0 && pfn % pages != 0) {
                throw new IllegalStateException("bad allocation of " + pages + " pages: " + pfn);
            }
            allocator.free(pfn, pages);
            return pfn;
        }
    }

    public static class Cached extends Space {
        @Override
        IovaAllocator create() {
            return new CachedIovaAllocator();
        }
    }

    public static class Tree extends Space {
        @Override
        IovaAllocator create() {
            return new TreeIovaAllocator();
        }
    }

    @Benchmark
    public long jdmaCachedAllocFree(Cached s) {
        return s.allocFree();
    }

    @Benchmark
    public long treeAllocFree(Tree s) {
        return s.allocFree();
    }
}
