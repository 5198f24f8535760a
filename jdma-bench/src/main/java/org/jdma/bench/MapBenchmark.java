package org.jdma.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;
import org.jdma.machine.Machine;
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
 * Linux's dma_map_benchmark ({@code kernel/dma/map_benchmark.c}) on the emulated machine: the host
 * wall-clock cost of mapping {@code pages} 4 KiB pages for a device and unmapping them again
 * ({@code jdmaMapUnmap}: one {@code dma_map_single} + {@code dma_unmap_single} pair), through the
 * kernel's real VT-d driver programming the emulated unit: IOVA allocation, page-table writes,
 * and on unmap the PTE clears plus an IOTLB invalidation through the unit's invalidation queue
 * (strict) or a flush-queue entry (lazy, flushed when 256 entries are queued, as Linux flushes a
 * full queue). The peer in the same run, {@code memorySegmentCopy}, copies the same number of
 * bytes between two native segments: the question BENCHMARKS.md answers is whether mapping a page
 * for a device is cheaper than copying it (ASPLOS 2016 "When Copy Is Faster Than Zero Copy").
 *
 * <p>{@code jdmaMap} and {@code jdmaUnmap} time the two halves apart, as dma_map_benchmark reports
 * map and unmap latency separately (its published runs show unmap ≥ map: the invalidation).
 *
 * <p>Average time per operation (ns); JMH prints the standard deviation of the iterations with each
 * result, as dma_map_benchmark prints its stddev. The ratio column of BenchMain's table is
 * jdma time / copy time here (above 1: mapping costs more than copying).
 *
 * <p>The domain is the copy engine's own DMA domain, as its driver maps buffers; the buffer lies
 * in RAM above 4 GiB. Virtual time advances only while the CPU waits for the unit (a strict
 * unmap's invalidation, a full lazy queue's flush: a few hundred ns each), so in lazy mode the
 * 10 ms flush-queue timer fires about once per ten million operations and flushes come almost
 * only from a full queue.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapBenchmark {

    static final long PAGE = 4096;

    @State(Scope.Thread)
    public static class Mapping {
        @Param({"1", "16", "256"})
        public int pages;

        @Param({"STRICT", "LAZY"})
        public IommuMode mode;

        /**
         * The IOVA allocator's verified frees: off is Linux's fast path (and its dma_map_benchmark),
         * which trusts the caller; on is what the tests and the kernel's default allocator run.
         */
        @Param({"false", "true"})
        public boolean verify;

        Machine machine;
        Kernel kernel;
        IommuDomain domain;
        DmaBuffer buffer;
        long size;
        long maps;

        @Setup(Level.Trial)
        public void setUp() {
            machine = Machine.createDefault();
            kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withIovaAllocators(() -> new CachedIovaAllocator(
                    new TreeIovaAllocator(), Runtime.getRuntime().availableProcessors(), verify)));
            domain = kernel.iommu().domainOf(kernel.copyEngine().requester()).orElseThrow(
                    () -> new IllegalStateException("the copy engine has no IOMMU domain in mode " + mode));
            size = pages * PAGE;
            buffer = kernel.memory().allocate(size, PAGE);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (maps == 0) {
                throw new AssertionError("no mapping was made");
            }
            // The timed path really maps: one more pair, checked against the domain's tables.
            long iova = domain.allocIova(size, -1L).orElseThrow();
            domain.map(iova, buffer.physicalAddress(), size, IoPermission.READ_WRITE);
            if (domain.translate(iova + size - 1).orElse(-1) != buffer.physicalAddress() + size - 1) {
                throw new AssertionError("IOVA " + Long.toHexString(iova) + " does not translate to the buffer");
            }
            domain.unmapAndFree(iova, size);
            if (domain.translate(iova).isPresent()) {
                throw new AssertionError("IOVA " + Long.toHexString(iova) + " still translates after unmap");
            }
            buffer.close();
            kernel.close();
            machine.close();
        }
    }

    /** For {@code jdmaMap}: the mapping each invocation made is undone after it, untimed. */
    public static class MapOnly extends Mapping {
        long iova = -1;

        @TearDown(Level.Invocation)
        public void unmap() {
            domain.unmapAndFree(iova, size);
        }
    }

    /** For {@code jdmaUnmap}: a fresh mapping is made before each invocation, untimed. */
    public static class UnmapOnly extends Mapping {
        long iova = -1;

        @Setup(Level.Invocation)
        public void map() {
            iova = allocIova(domain, size);
            domain.map(iova, buffer.physicalAddress(), size, IoPermission.READ_WRITE);
        }
    }

    /**
     * For {@code jdmaApiMapUnmap}: one page through the copy engine's DMA API, the path that
     * carries the {@code org.jdma.DmaMap}/{@code DmaUnmap} JFR events. {@code jfr=off} is the
     * no-recording cost (compare it with the same benchmark on a commit without the events: the
     * issue's goal is at most 2% more); {@code jfr=on} runs inside a recording of jdma's events.
     */
    @State(Scope.Thread)
    public static class ApiMapping {
        @Param({"STRICT", "LAZY"})
        public IommuMode mode;

        @Param({"off", "on"})
        public String jfr;

        Machine machine;
        Kernel kernel;
        org.jdma.kernel.dma.DeviceDmaApi dma;
        DmaBuffer buffer;
        jdk.jfr.Recording recording;
        long maps;

        @Setup(Level.Trial)
        public void setUp() {
            machine = Machine.createDefault();
            kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withIovaAllocators(CachedIovaAllocator::new));
            dma = kernel.copyEngine().dma();
            buffer = kernel.memory().allocate(PAGE, PAGE);
            if (jfr.equals("on")) {
                recording = new jdk.jfr.Recording();
                recording.enable(org.jdma.kernel.jfr.DmaMapEvent.class).withoutThreshold();
                recording.enable(org.jdma.kernel.jfr.DmaUnmapEvent.class).withoutThreshold();
                recording.enable(org.jdma.machine.jfr.IotlbInvalidationEvent.class).withoutThreshold();
                recording.start();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (recording != null) {
                recording.close();
            }
            if (maps == 0) {
                throw new AssertionError("no mapping was made");
            }
            buffer.close();
            kernel.close();
            machine.close();
        }
    }

    /** dma_map_single + dma_unmap_single of one page through the copy engine's DMA API (the JFR-instrumented path). */
    @Benchmark
    public long jdmaApiMapUnmap(ApiMapping s) {
        long dma = s.dma.mapSingle(s.buffer.physicalAddress(), PAGE, org.jdma.kernel.dma.DmaDirection.BIDIRECTIONAL);
        if (s.dma.mappingError(dma)) {
            throw new IllegalStateException("mapping error");
        }
        s.dma.unmapSingle(dma, PAGE, org.jdma.kernel.dma.DmaDirection.BIDIRECTIONAL);
        s.maps++;
        return dma;
    }

    @State(Scope.Thread)
    public static class Copy {
        @Param({"1", "16", "256"})
        public int pages;

        Arena arena;
        MemorySegment src;
        MemorySegment dst;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            src = arena.allocate(pages * PAGE, PAGE);
            dst = arena.allocate(pages * PAGE, PAGE);
            src.fill((byte) 0x66); // dma_map_benchmark dirties the buffer with 0x66 before each map
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (dst.get(java.lang.foreign.ValueLayout.JAVA_BYTE, pages * PAGE - 1) != 0x66) {
                throw new AssertionError("MemorySegment.copy left the last byte wrong");
            }
            arena.close();
        }
    }

    /** The kernel's map path allocates as Linux does: a plain address, no box (IommuDomain#tryAllocIova). */
    private static long allocIova(IommuDomain domain, long size) {
        long iova = domain.tryAllocIova(size, -1L);
        if (iova == IommuDomain.NO_IOVA) {
            throw new IllegalStateException("IOVA space exhausted");
        }
        return iova;
    }

    /** dma_map_single + dma_unmap_single of {@code pages} pages for the copy engine. */
    @Benchmark
    public long jdmaMapUnmap(Mapping s) {
        long iova = allocIova(s.domain, s.size);
        s.domain.map(iova, s.buffer.physicalAddress(), s.size, IoPermission.READ_WRITE);
        s.domain.unmapAndFree(iova, s.size);
        s.maps++;
        return iova;
    }

    /**
     * dma_map_single alone, as dma_map_benchmark times it (its unmap runs untimed after each call;
     * JMH's per-invocation fixtures add a few tens of ns of timer overhead to these µs-scale calls).
     */
    @Benchmark
    public long jdmaMap(MapOnly s) {
        s.iova = allocIova(s.domain, s.size);
        s.domain.map(s.iova, s.buffer.physicalAddress(), s.size, IoPermission.READ_WRITE);
        s.maps++;
        return s.iova;
    }

    /** dma_unmap_single alone: strict unmaps invalidate the IOTLB before returning, lazy ones queue. */
    @Benchmark
    public void jdmaUnmap(UnmapOnly s) {
        s.domain.unmapAndFree(s.iova, s.size);
        s.maps++;
    }

    /** The same bytes copied by the host. */
    @Benchmark
    public void memorySegmentCopy(Copy s) {
        MemorySegment.copy(s.src, 0, s.dst, 0, s.pages * PAGE);
    }
}
