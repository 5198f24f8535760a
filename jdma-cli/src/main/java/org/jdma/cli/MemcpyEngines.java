package org.jdma.cli;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdma.cli.dmatest.DmaTestPatterns;
import org.jdma.cli.dmatest.DmaTestTask;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dmaengine.DmaCapabilities;
import org.jdma.kernel.dmaengine.DmaCapability;
import org.jdma.kernel.dmaengine.DmaChannel;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;

/**
 * {@code jdma run memcpy --engines N} with N > 1: dmatest on N copy engines at once. Each engine
 * is one {@link DmaTestTask} on a channel the kernel's allocator hands out; every iteration starts
 * a copy on every engine before it waits for any, so the engines' copies overlap in simulated time.
 * Engine {@code i}'s work runs on CPU {@code i mod N} of the machine's N CPUs
 * ({@link Machine#runOn}), and its completion vector is routed there (the kernel's IRQ affinity),
 * so each engine is driven and interrupted on its own CPU as far as there are CPUs. Reports per
 * engine and in total: copies, bytes, the engine's busy time, interrupts, errors; and per CPU, as
 * Linux's {@code /proc/interrupts}, where each engine's interrupts landed.
 */
final class MemcpyEngines {

    /** Seeds of the tasks' random streams: the run's seed and the engine number, mixed (golden ratio). */
    private static final long TASK_SEED_STEP = 0x9E37_79B9_7F4A_7C15L;

    private final PrintWriter out;
    private final Machine machine;
    private final Kernel kernel;
    private final List<DmaTestTask> tasks = new ArrayList<>();
    /** The CPU each task runs on, by task. */
    private final List<Integer> cpuOf = new ArrayList<>();
    private final int count;
    private final boolean quiet;
    private long simulatedNs;

    MemcpyEngines(PrintWriter out, Machine machine, Kernel kernel, int engines, long size, int count, long seed, boolean quiet,
                  Arena arena) {
        this.out = out;
        this.machine = machine;
        this.kernel = kernel;
        this.count = count;
        this.quiet = quiet;
        DmaTestPatterns patterns = new DmaTestPatterns(size, arena);
        for (int e = 0; e < engines; e++) {
            DmaChannel ch = kernel.dmaChannels().request(DmaCapabilities.of(DmaCapability.MEMCPY), "dmatest" + e);
            DmaTestTask task = new DmaTestTask(ch, kernel.memory(), kernel.cpu(), patterns, seed + e * TASK_SEED_STEP, arena);
            int cpu = e % machine.cpus().size();
            tasks.add(task);
            cpuOf.add(cpu);
            kernel.drivers().setIrqAffinity(driverOf(task).completionVector(), cpu);
        }
    }

    void printHeader(int engines, long size, boolean polled, boolean nonCoherent, String modeName, long seed) {
        out.printf("jdma run memcpy: %d engines at once on %d CPUs, %d copies each of up to %s (%s completion%s, IOMMU %s), seed %d%n",
                engines, machine.cpus().size(), count, Sizes.format(size), polled ? "polled" : "interrupt",
                nonCoherent ? ", non-coherent cache" : "", modeName, seed);
        for (int i = 0; i < tasks.size(); i++) {
            DmaTestTask t = tasks.get(i);
            CopyEngineDriver d = driverOf(t);
            String domain = kernel.iommu().domainOf(d.requester()).map(x -> x.type() + " domain " + x.id()).orElse("direct DMA");
            out.printf("  %-14s %s %s, %s, MSI-X vector %d -> CPU %d, runs on CPU %d, held by %s%n", t.channel().name(),
                    d.requester(), t.channel().capabilities(), domain, d.completionVector(), cpuOf.get(i), cpuOf.get(i),
                    t.channel().client());
        }
        out.println("  each iteration starts a copy on every engine before it waits for any");
        out.flush();
    }

    /** All iterations: every task starts its copy, then every task finishes its own. */
    void copyAll() {
        long t0 = machine.clock().now();
        for (int i = 0; i < count; i++) {
            int iteration = i;
            for (int t = 0; t < tasks.size(); t++) {
                DmaTestTask task = tasks.get(t);
                machine.runOn(cpuOf.get(t), () -> task.start(iteration));
            }
            for (int t = 0; t < tasks.size(); t++) {
                machine.runOn(cpuOf.get(t), tasks.get(t)::finish);
            }
        }
        simulatedNs = machine.clock().now() - t0;
        // The waits read completion records; the last interrupts land as the machine runs on.
        machine.clock().runUntilIdle();
        if (!quiet) {
            int printed = 0;
            for (DmaTestTask t : tasks) {
                for (DmaTestTask.Failure f : t.failures()) {
                    out.println("  " + f);
                    for (DmaTestPatterns.ByteError e : f.errors()) {
                        if (printed++ < DmaTestPatterns.MAX_ERROR_COUNT) {
                            out.println("      " + e);
                        }
                    }
                }
            }
            if (printed > DmaTestPatterns.MAX_ERROR_COUNT) {
                out.printf("  ... %d more errors suppressed%n", printed - DmaTestPatterns.MAX_ERROR_COUNT);
            }
        }
    }

    void printReport() {
        out.println();
        out.println("Report (per engine; busy = simulated time the engine spent on descriptors)");
        out.printf("  %-14s %7s %9s %15s %15s %11s  %s%n", "channel", "copies", "failures", "bytes copied", "busy ns",
                "interrupts", "device error statuses");
        long copies = 0;
        long failures = 0;
        long bytes = 0;
        long irqs = 0;
        long busy = 0;
        for (DmaTestTask t : tasks) {
            CopyEngineDriver d = driverOf(t);
            CopyEngine device = deviceOf(d);
            out.printf("  %-14s %7d %9d %,15d %,15d %11d  %s%n", t.channel().name(), t.copies(), t.failures().size(),
                    t.bytesCopied(), device.busyTimeNs(), d.completionInterrupts() + d.errorInterrupts(), device.errorsByStatus());
            copies += t.copies();
            failures += t.failures().size();
            bytes += t.bytesCopied();
            irqs += d.completionInterrupts() + d.errorInterrupts();
            busy += device.busyTimeNs();
        }
        out.printf("  %-14s %7d %9d %,15d %,15d %11d%n", "total", copies, failures, bytes, busy, irqs);
        out.printf("  simulated time     %,d ns for the copies on all engines (busy time %.1fx that: they overlapped;"
                        + " machine clock at end: %,d ns)%n", simulatedNs, simulatedNs == 0 ? 0.0 : busy / (double) simulatedNs,
                machine.clock().now());
        out.printf("  modeled throughput %.2f GB/s (bytes copied on all engines / simulated time)%n",
                simulatedNs == 0 ? 0.0 : bytes / (double) simulatedNs);
        out.printf("  %s verified: both whole buffers of every engine after every copy%n",
                tasks.stream().mapToLong(DmaTestTask::byteErrors).sum() == 0 ? "every byte"
                        : tasks.stream().mapToLong(DmaTestTask::byteErrors).sum() + " wrong bytes");
        printCpus();
    }

    /** Per CPU: each engine's completion interrupts where they landed (as /proc/interrupts), doorbells rung, interrupts handled. */
    private void printCpus() {
        int n = machine.cpus().size();
        StringBuilder head = new StringBuilder(String.format("%n  Interrupts per CPU (/proc/interrupts)%n  %-14s %6s", "channel", "vector"));
        for (int c = 0; c < n; c++) {
            head.append(String.format(" %7s", "CPU" + c));
        }
        out.println(head);
        for (DmaTestTask t : tasks) {
            int vector = driverOf(t).completionVector();
            StringBuilder row = new StringBuilder(String.format("  %-14s %6d", t.channel().name(), vector));
            for (int c = 0; c < n; c++) {
                row.append(String.format(" %7d", machine.interrupts().dispatched(vector, c)));
            }
            out.println(row);
        }
        for (int c = 0; c < n; c++) {
            out.printf("  CPU%-3d MMIO writes (doorbells among them) %,8d   interrupts handled %,6d%n", c,
                    machine.cpus().get(c).mmioWrites(), machine.interrupts().dispatchedOn(c));
        }
    }

    /** dmatest's summary line per task, then one for the run. */
    void printSummaries(String modeName) {
        for (DmaTestTask t : tasks) {
            out.println(summary(t.name(), t.copies(), t.failures().size(), t.bytesCopied(), modeName));
        }
        out.println(summary("total (" + tasks.size() + " engines)", tasks.stream().mapToLong(DmaTestTask::copies).sum(),
                failures(), tasks.stream().mapToLong(DmaTestTask::bytesCopied).sum(), modeName));
    }

    private String summary(String who, long tests, long failures, long bytes, String modeName) {
        long iops = simulatedNs == 0 ? 0 : tests * 1_000_000_000L / simulatedNs;
        long kbps = simulatedNs == 0 ? 0 : (long) (bytes / 1024.0 / (simulatedNs / 1e9));
        return String.format(Locale.ROOT, "%s: summary %d tests, %d failures %d iops %d KB/s (simulated, IOMMU %s)",
                who, tests, failures, iops, kbps, modeName);
    }

    /** Copies that failed, on all engines. */
    int failures() {
        return tasks.stream().mapToInt(t -> t.failures().size()).sum();
    }

    private CopyEngineDriver driverOf(DmaTestTask t) {
        return kernel.copyEngines().stream().filter(d -> d.name().equals(t.channel().device())).findFirst().orElseThrow();
    }

    private CopyEngine deviceOf(CopyEngineDriver d) {
        return machine.devices(CopyEngine.class).stream().filter(c -> c.requester().equals(d.requester())).findFirst().orElseThrow();
    }

    void close() {
        tasks.forEach(DmaTestTask::close);
    }
}
