package org.jdma.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jdma.cli.nvme.NvmeBench;
import org.jdma.cli.nvme.NvmeJob;
import org.jdma.cli.nvme.NvmeJobResult;
import org.jdma.cli.nvme.NvmePlot;
import org.jdma.cli.trace.TraceDigestOption;
import org.jdma.kernel.drivers.nvme.SmartLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run nvme}: fio's vocabulary over the NVMe driver on the emulated controller. Prints
 * IOPS, bandwidth, completion-latency percentiles, interrupts and IOTLB misses per I/O and the
 * simulation speed; {@code --sweep} runs queue depths 1, 2, 4 ... 128 and prints the
 * latency/throughput curve, {@code --plot} draws it.
 */
@Command(name = "nvme", mixinStandardHelpOptions = true,
        description = {"Random or sequential reads and writes on the emulated NVMe controller, fio-style.",
                "Times are modeled time; --sweep prints throughput and latency for queue depths 1..128."})
public final class NvmeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rw", defaultValue = "randread", description = "read, write, randread, randwrite, randrw. Default: ${DEFAULT-VALUE}.")
    String rw;

    @Option(names = "--bs", converter = Sizes.class, defaultValue = "4K", description = "Block size of each I/O. Default: ${DEFAULT-VALUE}.")
    long bs;

    @Option(names = "--iodepth", defaultValue = "32", description = "I/Os in flight per job. Default: ${DEFAULT-VALUE}.")
    int iodepth;

    @Option(names = "--numjobs", defaultValue = "1", description = "Jobs, each on its own queue pair and CPU. Default: ${DEFAULT-VALUE}.")
    int numjobs;

    @Option(names = "--size", converter = Sizes.class, defaultValue = "64M", description = "Bytes of the namespace addressed. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--runtime", defaultValue = "20", description = "Modeled run time in ms. Default: ${DEFAULT-VALUE}.")
    long runtimeMs;

    @Option(names = "--iommu", defaultValue = "strict", description = "off, strict, lazy or identity. Default: ${DEFAULT-VALUE}.")
    String iommu;

    @Option(names = "--verify", description = "Read back every block last written and compare checksums.")
    boolean verify;

    @Option(names = "--smart", description = "After the job, print the controller's SMART / Health log and its error-log count.")
    boolean smart;

    @Option(names = "--sweep", description = "Run queue depths 1, 2, 4, ..., 128 and print the curve.")
    boolean sweep;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "With --sweep: also plot IOPS and p99 latency against queue depth as a PNG.")
    Path plot;

    @Mixin
    TraceDigestOption traceDigest;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine and the workload. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (plot != null && !sweep) {
            throw new IllegalArgumentException("--plot needs --sweep");
        }
        NvmeJob job = new NvmeJob(rw, (int) bs, iodepth, numjobs, size, runtimeMs * 1_000_000L, iommu, verify, seed);
        if (sweep) {
            out.println("iodepth      IOPS    MiB/s   mean us    p99 us   depth (IOPS x mean latency)   IOTLB misses/IO");
            List<NvmeJobResult> curve = NvmeBench.sweep(job, traceDigest::watch);
            long errors = 0;
            for (NvmeJobResult r : curve) {
                out.printf(Locale.ROOT, "%7d %9.0f %8.1f %9.1f %9.1f %8.2f %32.3f%n", r.job().iodepth(), r.iops(), r.bandwidthMiBs(),
                        r.meanLatencyNs() / 1e3, r.latency().getValueAtPercentile(99) / 1e3, r.littlesLawDepth(), r.iotlbMissesPerIo());
                errors += r.errors() + r.mismatches();
            }
            if (plot != null) {
                NvmePlot.plot(plot, curve);
                out.println("plot: " + plot);
            }
            traceDigest.print(out);
            return errors == 0 ? 0 : 1;
        }
        NvmeJobResult r = runWithProgress(job);
        report(out, r);
        if (smart) {
            printSmart(out, r.smart());
        }
        traceDigest.print(out);
        return r.errors() == 0 && r.mismatches() == 0 ? 0 : 1;
    }

    private NvmeJobResult runWithProgress(NvmeJob job) {
        if (System.console() == null || !System.console().isTerminal()) {
            return NvmeBench.run(job, ns -> { }, traceDigest::watch);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("nvme").setInitialMax(job.runtimeNs() / 1_000_000L)
                .setUnit(" ms", 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build()) {
            return NvmeBench.run(job, ns -> bar.stepTo(ns / 1_000_000L), traceDigest::watch);
        }
    }

    static void report(PrintWriter out, NvmeJobResult r) {
        NvmeJob j = r.job();
        out.printf(Locale.ROOT, "nvme: rw=%s bs=%d iodepth=%d numjobs=%d size=%d iommu=%s%n", j.rw(), j.bs(), j.iodepth(), j.numjobs(),
                j.size(), j.iommu());
        out.printf(Locale.ROOT, "  IOPS=%.0f, BW=%.1fMiB/s, %d I/Os in %.3f ms modeled, %d errors%n", r.iops(), r.bandwidthMiBs(), r.ios(),
                r.modeledNs() / 1e6, r.errors());
        out.printf(Locale.ROOT, "  clat (us): p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f mean=%.1f%n",
                r.latency().getValueAtPercentile(50) / 1e3, r.latency().getValueAtPercentile(90) / 1e3,
                r.latency().getValueAtPercentile(99) / 1e3, r.latency().getValueAtPercentile(99.9) / 1e3,
                r.latency().getMaxValue() / 1e3, r.meanLatencyNs() / 1e3);
        out.printf(Locale.ROOT, "  interrupts per I/O %.2f; IOTLB misses per I/O %.3f%n", r.interruptsPerIo(), r.iotlbMissesPerIo());
        out.printf(Locale.ROOT, "  simulation: %.0f modeled I/Os per wall second (%.3f s wall for %.3f ms modeled)%n",
                r.simulatedIosPerWallSecond(), r.wallNs() / 1e9, r.modeledNs() / 1e6);
        if (j.verify()) {
            out.printf(Locale.ROOT, "  verify: %d blocks read back, %d mismatches%n", r.verified(), r.mismatches());
        }
    }

    /** The SMART / Health log as {@code nvme smart-log} names its fields. */
    static void printSmart(PrintWriter out, SmartLog s) {
        out.println("smart-log:");
        out.printf(Locale.ROOT, "  critical_warning        %#x%n", s.criticalWarning());
        out.printf(Locale.ROOT, "  temperature             %d K (%d C)%n", s.temperatureK(), s.temperatureC());
        out.printf(Locale.ROOT, "  available_spare         %d%%  (threshold %d%%)%n", s.availableSpare(), s.spareThreshold());
        out.printf(Locale.ROOT, "  percentage_used         %d%%%n", s.percentageUsed());
        out.printf(Locale.ROOT, "  data_units_read         %d  (x 512,000 bytes)%n", s.dataUnitsRead());
        out.printf(Locale.ROOT, "  data_units_written      %d%n", s.dataUnitsWritten());
        out.printf(Locale.ROOT, "  host_read_commands      %d%n", s.hostReadCommands());
        out.printf(Locale.ROOT, "  host_write_commands     %d%n", s.hostWriteCommands());
        out.printf(Locale.ROOT, "  controller_busy_time    %d min%n", s.busyMinutes());
        out.printf(Locale.ROOT, "  power_cycles            %d%n", s.powerCycles());
        out.printf(Locale.ROOT, "  power_on_hours          %d%n", s.powerOnHours());
        out.printf(Locale.ROOT, "  unsafe_shutdowns        %d%n", s.unsafeShutdowns());
        out.printf(Locale.ROOT, "  media_errors            %d%n", s.mediaErrors());
        out.printf(Locale.ROOT, "  num_err_log_entries     %d%n", s.errorLogEntries());
    }
}
