package org.jdma.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.jdma.cli.dmatest.DmaTestPatterns;
import org.jdma.cli.dmatest.MemcpySweep;
import org.jdma.cli.dmatest.DmaTestPatterns.ByteError;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.cli.trace.ChromeTraceWriter;
import org.jdma.cli.trace.JfrOption;
import org.jdma.cli.trace.TraceDigestOption;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.CompletedDescriptor;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.kernel.iommu.FlushQueue;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.time.TraceRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run memcpy}: Linux dmatest's memcpy test on the copy engine. Each iteration picks a
 * random length in [1, size] and random source and destination offsets (aligned as the engine
 * requires), fills both whole buffers with dmatest's patterns, copies with one MEMMOVE
 * descriptor, and verifies every byte of both buffers. The kernel boots with the IOMMU in the
 * {@code --iommu} mode, and both buffers are mapped for the device before each copy and unmapped
 * after it, as dmatest does, so strict and lazy invalidation differ. With {@code --engines N} the
 * machine has N copy engines and {@link MemcpyEngines} runs the test on all of them at once.
 */
@Command(name = "memcpy", mixinStandardHelpOptions = true,
        description = {"Copy with the copy engine and verify every byte, the way Linux's dmatest does.",
                "Reports descriptors, bytes, simulated time, modeled throughput, interrupts and errors;",
                "with --engines N, per engine and in total, the engines copying at once."})
public final class MemcpyCommand implements Callable<Integer> {

    /** Most copy engines {@code --engines} plugs in: bus 0's device slots after the first copy engine's. */
    static final int MAX_ENGINES = 32 - CopyEngine.FIRST_DEVICE;

    /** Cache line size of the {@code --non-coherent} machine (arm64's usual 64 bytes). */
    private static final int NON_COHERENT_LINE_SIZE = 64;

    @Spec
    CommandSpec spec;

    @Option(names = "--size", converter = Sizes.class, defaultValue = "16K",
            description = "Buffer size (dmatest's test_buf_size): copies are 1..size bytes. K, M, G suffixes. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--count", defaultValue = "32", description = "Number of copies (dmatest's iterations). Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the machine and the workload. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Write a Chrome/Perfetto trace-event JSON file (open it in https://ui.perfetto.dev).")
    Path trace;

    @Option(names = "--polled", description = "Complete by polling completion records instead of MSI-X interrupts.")
    boolean polled;

    @Option(names = "--quiet", description = "Print only the summary line.")
    boolean quiet;

    @Option(names = "--engines", defaultValue = "1", paramLabel = "N",
            description = {"Copy engines to plug in and run at once (1.." + MAX_ENGINES + "), each on a channel from the kernel's "
                    + "DMA channel allocator, with --count copies each; reports per engine and in total. Default: ${DEFAULT-VALUE}."})
    int engines;

    @Option(names = "--cpus", paramLabel = "N",
            description = {"CPUs of the machine (1..255; default: the machine's " + MachineConfig.DEFAULT_CPUS + "). With --engines,"
                    + " engine i's copies are started and checked on CPU i mod N and its completion interrupt is routed there."})
    Integer cpus;

    @Option(names = "--iommu", defaultValue = "strict", paramLabel = "MODE",
            description = "How the kernel uses the VT-d unit: off, strict (every unmap invalidated at once), lazy (batched"
                    + " invalidation), identity. Default: ${DEFAULT-VALUE}.")
    String iommu;
    @Option(names = "--non-coherent", description = {"Run on an arm64-like machine whose write-back CPU cache DMA does not snoop "
            + "(64-byte lines): each copy is bracketed by the cache maintenance dmatest's dma_map_single/dma_unmap_single do."})
    boolean nonCoherent;

    @Mixin
    TraceDigestOption traceDigest;

    @Mixin
    JfrOption jfr;

    @Option(names = "--sweep", description = {"Instead of one run: --count copies of each size from 512 B to 1 MiB under IOMMU off,"
            + " pt, lazy and strict, each on a fresh machine; prints modeled GB/s and simulated ns per copy."})
    boolean sweep;

    @Option(names = "--plot", paramLabel = "FILE", description = "With --sweep: also write the sweep as a PNG plot (throughput against copy size).")
    Path plot;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (size <= 0 || size > (1L << 30)) {
            throw new IllegalArgumentException("--size must be between 1 byte and 1G, was " + size);
        }
        if (count <= 0) {
            throw new IllegalArgumentException("--count must be positive, was " + count);
        }
        if (engines < 1 || engines > MAX_ENGINES) {
            throw new IllegalArgumentException("--engines must be between 1 and " + MAX_ENGINES + ", was " + engines);
        }
        if (cpus != null && (cpus < 1 || cpus > MachineCpus.MAX_CPUS)) {
            throw new IllegalArgumentException("--cpus must be between 1 and " + MachineCpus.MAX_CPUS + ", was " + cpus);
        }
        IommuMode mode = IommuModeNames.parse(iommu);
        if (plot != null && !sweep) {
            throw new IllegalArgumentException("--plot needs --sweep");
        }
        jfr.start();
        try {
            return (sweep ? sweep(out) : run(out, mode)) == 0 ? 0 : 1;
        } finally {
            jfr.stop(spec.commandLine().getErr());
        }
    }

    /** {@code --sweep}: every size under every IOMMU mode; returns the failed copies. */
    private int sweep(PrintWriter out) throws IOException {
        int points = MemcpySweep.MODES.size() * MemcpySweep.SIZES.length;
        out.printf("jdma run memcpy --sweep: %d copies per point, %d points (%d sizes x %d IOMMU modes), %s completion, seed %d%n",
                count, points, MemcpySweep.SIZES.length, MemcpySweep.MODES.size(), polled ? "polled" : "interrupt", seed);
        out.flush();
        Map<IommuMode, List<MemcpySweep.Point>> results;
        try (ProgressBar bar = Progress.bar("memcpy sweep", points, !quiet)) {
            results = MemcpySweep.run(count, seed, polled, () -> {
                if (bar != null) {
                    bar.step();
                }
            });
        }
        MemcpySweep.table(out, results);
        if (plot != null) {
            MemcpySweep.plot(plot, results);
            out.println("plot: " + plot);
        }
        int failures = results.values().stream().flatMap(List::stream).mapToInt(MemcpySweep.Point::failures).sum();
        out.printf("sweep: %d failures%n", failures);
        out.flush();
        return failures;
    }

    /** Runs the test and returns the number of failed copies. */
    private int run(PrintWriter out, IommuMode mode) throws IOException {
        MachineConfig config = MachineConfig.defaults().withSeed(seed);
        if (cpus != null) {
            config = config.withCpus(cpus);
        }
        if (nonCoherent) {
            config = config.withCache(CacheConfig.nonCoherent(NON_COHERENT_LINE_SIZE));
        }
        for (int e = 1; e < engines; e++) {
            config = config.withDevice(CopyEngine.spec(e));
        }
        try (Machine machine = new Machine(config);
             Arena arena = Arena.ofConfined()) {
            traceDigest.watch(machine).trace().enable(trace != null || traceDigest.enabled());
            Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDriver(CopyEngineDriver.driver(
                    CopyEngineDriver.Options.DEFAULTS.withMode(polled ? CopyEngineDriver.CompletionMode.POLLED
                            : CopyEngineDriver.CompletionMode.INTERRUPT))));
            String modeName = mode.name().toLowerCase(Locale.ROOT);
            if (engines > 1) {
                return runEngines(out, machine, kernel, arena, modeName);
            }
            Run run = new Run(out, machine, kernel, arena);
            if (!quiet) {
                run.printHeader(modeName);
            }
            run.copyAll();
            if (!quiet) {
                run.printReport();
            }
            out.println(run.summary(modeName));
            if (trace != null) {
                writeTrace(out, machine.trace());
            }
            traceDigest.print(out);
            out.flush();
            run.close();
            return run.failures;
        }
    }

    /** {@code --engines N}: dmatest on every engine at once ({@link MemcpyEngines}); returns the failed copies. */
    private int runEngines(PrintWriter out, Machine machine, Kernel kernel, Arena arena, String modeName) throws IOException {
        MemcpyEngines run = new MemcpyEngines(out, machine, kernel, engines, size, count, seed, quiet, arena);
        try {
            if (!quiet) {
                run.printHeader(engines, size, polled, nonCoherent, modeName, seed);
            }
            run.copyAll();
            if (!quiet) {
                run.printReport();
            }
            run.printSummaries(modeName);
            if (trace != null) {
                writeTrace(out, machine.trace());
            }
            traceDigest.print(out);
            out.flush();
            return run.failures();
        } finally {
            run.close();
            kernel.close();
        }
    }

    private void writeTrace(PrintWriter out, TraceRecorder recorder) throws IOException {
        try (OutputStream os = Files.newOutputStream(trace)) {
            new ChromeTraceWriter().write(recorder.events(), "jdma run memcpy (seed " + seed + ")", os);
        }
        if (!quiet) {
            out.printf("trace: %d events written to %s (open in https://ui.perfetto.dev)%n", recorder.events().size(), trace);
        }
    }

    /** One run of the test: the booted machine, both buffers and their patterns, and what was counted. */
    private final class Run {
        private final PrintWriter out;
        private final Machine machine;
        private final Kernel kernel;
        private final CopyEngineDriver driver;
        private final long align;
        private final String ringTrack;
        private final DmaBuffer src;
        private final DmaBuffer dst;
        private final DmaTestPatterns patterns;
        private final MemorySegment srcImage;
        private final MemorySegment dstImage;
        private final SplittableRandom random;
        private final DeviceDmaApi dma;

        private int failures;
        private long bytesCopied;
        private long simulatedNs;
        private long byteErrors;
        private long wallNs;
        private int printedErrors;

        Run(PrintWriter out, Machine machine, Kernel kernel, Arena arena) {
            this.out = out;
            this.machine = machine;
            this.kernel = kernel;
            this.driver = kernel.copyEngine();
            this.align = Math.max(1, driver.requiredAlignment());
            this.ringTrack = driver.name() + "/ring";
            this.src = kernel.memory().allocate(size, 4096);
            this.dst = kernel.memory().allocate(size, 4096);
            this.patterns = new DmaTestPatterns(size, arena);
            this.srcImage = arena.allocate(size);
            this.dstImage = arena.allocate(size);
            this.random = new SplittableRandom(seed);
            // dmatest maps both whole buffers for the device before each copy and unmaps them after,
            // through the DMA API: the mapping layer decides what a device address is (physical, or
            // an IOVA in the device's domain when the IOMMU translates: then each unmap is
            // invalidated as --iommu says) and does the cache maintenance a non-coherent machine needs.
            this.dma = driver.dma();
        }

        void printHeader(String modeName) {
            out.printf("jdma run memcpy: %d copies of up to %s on %s (%s completion%s, IOMMU %s), seed %d%n", count,
                    Sizes.format(size), driver.name(), polled ? "polled" : "interrupt",
                    nonCoherent ? ", non-coherent cache" : "", modeName, seed);
            out.printf("  source      %s%n  destination %s%n", src, dst);
            out.flush();
        }

        /** All {@code count} copies, with a progress bar when the run moves at least 256 MiB. */
        void copyAll() {
            boolean showProgress = !quiet && (size * (long) count) >= (256L << 20);
            try (ProgressBar bar = Progress.bar("memcpy", count, showProgress)) {
                for (int i = 0; i < count; i++) {
                    copyOnce(i);
                    if (bar != null) {
                        bar.step();
                    }
                }
            }
            if (printedErrors > DmaTestPatterns.MAX_ERROR_COUNT && !quiet) {
                out.printf("  ... %d more errors suppressed%n", printedErrors - DmaTestPatterns.MAX_ERROR_COUNT);
            }
        }

        /** dmatest's iteration: random length and offsets, patterns in both whole buffers, one copy, every byte checked. */
        private void copyOnce(int i) {
            long len = Math.max(align, (random.nextLong(size) + 1) / align * align);
            len = Math.min(len, size / align * align);
            long srcOff = random.nextLong(size - len + 1) / align * align;
            long dstOff = random.nextLong(size - len + 1) / align * align;

            patterns.initSource(srcImage, srcOff, len);
            patterns.initDestination(dstImage, dstOff, len);
            kernel.cpu().write(src.physicalAddress(), srcImage, 0, size);
            kernel.cpu().write(dst.physicalAddress(), dstImage, 0, size);
            String failure = copyMapped(i, len, srcOff, dstOff);
            verify(i, len, srcOff, dstOff, failure);
        }

        /**
         * Maps both buffers as dmatest does (source DMA_TO_DEVICE, destination DMA_BIDIRECTIONAL "to
         * force writeback/invalidate"), copies with one MEMMOVE and unmaps. Returns what failed, or
         * null; a mapping error is a failure of its own.
         */
        private String copyMapped(int i, long len, long srcOff, long dstOff) {
            long srcDevice = dma.mapSingle(src.physicalAddress(), size, DmaDirection.TO_DEVICE);
            long dstDevice = dma.mapSingle(dst.physicalAddress(), size, DmaDirection.BIDIRECTIONAL);
            String failure = null;
            if (dma.mappingError(srcDevice) || dma.mappingError(dstDevice)) {
                failure = dma.mappingError(srcDevice) ? "src mapping error" : "dst mapping error";
            } else {
                Descriptor d = Descriptor.memmove(srcDevice + srcOff, dstDevice + dstOff, len);
                long t0 = machine.clock().now();
                long w0 = System.nanoTime();
                OpResult r = driver.execute(d);
                wallNs += System.nanoTime() - w0;
                long t1 = machine.clock().now();
                simulatedNs += t1 - t0;
                String status = describe(r);
                machine.trace().slice(ringTrack, "memmove #" + i, t0, t1 - t0, TraceRecorder.args(
                        "len", len, "src_off", srcOff, "dst_off", dstOff, "status", status));
                if (!r.isSuccess()) {
                    failure = "completion error status: " + status;
                } else {
                    bytesCopied += len;
                }
            }
            if (!dma.mappingError(srcDevice)) {
                dma.unmapSingle(srcDevice, size, DmaDirection.TO_DEVICE);
            }
            if (!dma.mappingError(dstDevice)) {
                dma.unmapSingle(dstDevice, size, DmaDirection.BIDIRECTIONAL);
            }
            return failure;
        }

        /** Reads both whole buffers back and checks them against dmatest's patterns; counts and prints a failure. */
        private void verify(int i, long len, long srcOff, long dstOff, String copyFailure) {
            kernel.cpu().read(src.physicalAddress(), srcImage, 0, size);
            kernel.cpu().read(dst.physicalAddress(), dstImage, 0, size);
            DmaTestPatterns.Check check = patterns.check(srcImage, dstImage, srcOff, dstOff, len);
            byteErrors += check.wrongBytes();
            String failure = check.failure(copyFailure);
            if (failure == null) {
                return;
            }
            failures++;
            if (!quiet) {
                out.printf("  #%d: len %d src_off %#x dst_off %#x: %s%n", i, len, srcOff, dstOff, failure);
                for (ByteError e : check.errors()) {
                    if (printedErrors++ < DmaTestPatterns.MAX_ERROR_COUNT) {
                        out.println("      " + e);
                    }
                }
            }
        }

        /** dmatest's summary line, with simulated rather than wall time. */
        String summary(String modeName) {
            long iops = simulatedNs == 0 ? 0 : count * 1_000_000_000L / simulatedNs;
            long kbps = simulatedNs == 0 ? 0 : (long) (bytesCopied / 1024.0 / (simulatedNs / 1e9));
            return String.format("%s: summary %d tests, %d failures %d iops %d KB/s (simulated, IOMMU %s)",
                    driver.name(), count, failures, iops, kbps, modeName);
        }

        void printReport() {
            CopyEngine engine = machine.devices(CopyEngine.class).getFirst();
            DmaPort port = machine.dmaPorts().getFirst();
            out.println();
            out.println("Report");
            out.printf("  descriptors        %d completed by %s (%d with errors)%n", engine.descriptorsCompleted(), driver.name(),
                    engine.errorsByStatus().values().stream().mapToLong(Long::longValue).sum());
            out.printf("  bytes copied       %,d (%s verified: both whole buffers after every copy)%n", bytesCopied,
                    byteErrors == 0 ? "every byte" : byteErrors + " wrong bytes");
            out.printf("  simulated time     %,d ns for the copies (machine clock at end: %,d ns)%n", simulatedNs,
                    machine.clock().now());
            out.printf("  modeled throughput %.2f GB/s (bytes copied / simulated time)%n",
                    simulatedNs == 0 ? 0.0 : bytesCopied / (double) simulatedNs);
            out.printf("  bus traffic        %,d B read in %,d transactions, %,d B written in %,d transactions%n",
                    port.bytesRead(), port.readTransactions(), port.bytesWritten(), port.writeTransactions());
            out.printf("  interrupts         %d completion, %d error (MSI-X vector %d)%n", driver.completionInterrupts(),
                    driver.errorInterrupts(), driver.completionVector());
            out.printf("  errors             %d failed copies, %d wrong bytes, device error statuses %s%n", failures,
                    byteErrors, engine.errorsByStatus());
            out.printf("  iommu              %s%n", iommuReport(kernel, machine, driver));
            out.printf("  wall time          %.1f ms in the copy engine model (dmatest excludes fill and verify)%n", wallNs / 1e6);
        }

        void close() {
            src.close();
            dst.close();
            kernel.close();
        }
    }

    /** What the IOMMU did during the run: the mode, the device's domain, the unit's IOTLB and lazy-flush counters. */
    private static String iommuReport(Kernel kernel, Machine machine, CopyEngineDriver driver) {
        IommuSubsystem iommu = kernel.iommu();
        String mode = iommu.mode().name().toLowerCase(Locale.ROOT);
        if (!iommu.enabled()) {
            return mode + ": translation off, device addresses are physical"
                    + (iommu.problems().isEmpty() ? "" : " (" + String.join("; ", iommu.problems()) + ")");
        }
        String domain = iommu.domainOf(driver.requester())
                .map(d -> d.type() + " domain " + d.id()).orElse("no domain");
        String indent = "%n                     ";
        StringBuilder b = new StringBuilder(mode + ": " + device(driver) + " in " + domain);
        for (VtdUnit u : machine.remappingUnits()) {
            VtdUnit.Counters c = u.counters();
            b.append(String.format(indent + "%s: %,d translations, IOTLB %,d hits / %,d misses, %,d page walks, %d faults,"
                            + " IOTLB invalidations global/domain/page %s", u.name(), c.translations(), c.iotlbHits(),
                    c.iotlbMisses(), c.pageWalks(), c.faultsRecorded(), c.iotlbInvalidations()));
        }
        if (iommu.mode() == IommuMode.LAZY) {
            FlushQueue.Stats s = iommu.lazyStats();
            b.append(String.format(indent + "flush queue: %,d unmaps queued, %,d freed after %,d flushes (%d queue full, %d timeout)",
                    s.queued(), s.freed(), s.flushes(), s.fullFlushes(), s.timeoutFlushes()));
            if (s.freed() > 0) {
                b.append(String.format("; an unmapped IOVA still translated for up to %,d ns (mean %,.0f ns)",
                        s.staleMaxNs(), s.staleMeanNs()));
            }
        }
        return b.toString();
    }

    private static String device(CopyEngineDriver driver) {
        return driver.name();
    }

    static String describe(OpResult r) {
        return switch (r) {
            case OpResult.Completed c -> {
                CompletedDescriptor cd = c.completion();
                String s = cd.status() == null ? String.format("status %#04x", cd.statusByte()) : cd.status().name();
                yield cd.faultOnWrite() || (cd.isError() && cd.faultAddress() != 0)
                        ? String.format("%s%s at %#x", s, cd.faultOnWrite() ? " (write)" : " (read)", cd.faultAddress()) : s;
            }
            case OpResult.Halted h -> "engine halted: " + h.engine();
            case OpResult.TimedOut t -> "timed out after " + t.waitedNs() + " ns: " + t.engine();
        };
    }
}
