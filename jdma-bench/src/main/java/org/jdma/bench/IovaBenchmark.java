package org.jdma.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IOVA allocation with and without the per-CPU magazines, one thread: one operation frees the
 * oldest of the thread's {@value Window#IN_FLIGHT} in-flight IOVAs and allocates a new one below
 * 4 GiB (a PCI device's first choice), like a driver that keeps a ring of buffers mapped. The
 * tree starts with {@value #BACKGROUND} live one-page ranges so its lookups have a realistic depth.
 *
 * <p>{@code jdmaCachedAllocFree} ({@link CachedIovaAllocator}, Linux {@code alloc_iova_fast}) is
 * compared with {@code treeAllocFree} ({@link TreeIovaAllocator}, Linux {@code alloc_iova}) at
 * the same size; {@code verify=true} is the cached allocator's default, checking each free
 * against the tree, {@code false} is Linux's trusting fast path. {@link IovaContendedBenchmark}
 * runs the same with 4 threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class IovaBenchmark {

    /** Live ranges allocated before measuring. */
    static final int BACKGROUND = 4096;
    /** Highest pfn of the 32-bit space with 4 KiB granules. */
    static final long LIMIT_32 = (1L << 20) - 1;

    static void fillBackground(IovaAllocator a) {
        for (int i = 0; i < BACKGROUND; i++) {
            if (a.allocate(1, LIMIT_32) == IovaAllocator.NONE) {
                throw new IllegalStateException("background allocation " + i + " failed");
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Tree {
        @Param({"1", "16"})
        public int pages;

        TreeIovaAllocator allocator;

        @Setup(Level.Trial)
        public void setUp() {
            allocator = new TreeIovaAllocator();
            fillBackground(allocator);
        }
    }

    @State(Scope.Benchmark)
    public static class Cached {
        @Param({"1", "16"})
        public int pages;

        @Param({"true", "false"})
        public boolean verify;

        CachedIovaAllocator allocator;

        @Setup(Level.Trial)
        public void setUp() {
            allocator = new CachedIovaAllocator(new TreeIovaAllocator(), Runtime.getRuntime().availableProcessors(),
                    verify);
            fillBackground(allocator);
        }

        /** The magazines must have served: otherwise this measured the tree under another name. */
        @TearDown(Level.Trial)
        public void checkCacheServed() {
            if (allocator.stats().hits() == 0) {
                throw new IllegalStateException("no allocation came from the magazines: " + allocator.stats());
            }
        }
    }

    /** One thread's in-flight IOVAs, oldest freed first; 0 marks an empty slot (pfn 0 is never handed out). */
    @State(Scope.Thread)
    public static class Window {
        static final int IN_FLIGHT = 64;

        final long[] pfns = new long[IN_FLIGHT];
        int next;

        long cycle(IovaAllocator a, int pages) {
            long old = pfns[next];
            if (old != 0) {
                a.free(old, pages);
            }
            long pfn = a.allocate(pages, LIMIT_32);
            if (pfn == IovaAllocator.NONE) {
                throw new IllegalStateException("IOVA space exhausted");
            }
            pfns[next] = pfn;
            next = (next + 1) & (IN_FLIGHT - 1);
            return pfn;
        }
    }

    @Benchmark
    public long jdmaCachedAllocFree(Cached s, Window w) {
        return w.cycle(s.allocator, s.pages);
    }

    @Benchmark
    public long treeAllocFree(Tree s, Window w) {
        return w.cycle(s.allocator, s.pages);
    }

    /**
     * A per-CPU cache's own lock, twice: what an alloc+free that hits the magazines cannot do
     * without while a CPU's cache may be reached by another thread (several Java threads run as one
     * CPU, and a flush empties every CPU's cache): each takes the slot's lock with a CAS and gives it
     * back with a release store. Nothing else: the floor under {@code jdmaCachedAllocFree}.
     */
    @State(Scope.Thread)
    public static class SlotLock {
        static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(SlotLock.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int state;

        void lock() {
            if (!STATE.compareAndSet(this, 0, 1)) {
                throw new IllegalStateException("uncontended lock found taken");
            }
        }

        void unlock() {
            STATE.setRelease(this, 0);
        }
    }

    @Benchmark
    public int lockRoundTripsFloor(SlotLock l) {
        l.lock(); // the free's insert
        l.unlock();
        l.lock(); // the allocation's pop
        l.unlock();
        return l.state;
    }
}
