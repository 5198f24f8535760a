package org.jdma.cli.nic;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.kernel.net.app.CpuCostModel;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.net.PcapReplayer;
import org.jdma.cli.trace.JfrOption;
import org.jdma.cli.trace.TraceDigestOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run nic MODE}: the 82599 with the kernel's driver and ixy's applications in modeled
 * CPU time ({@link NicRun}); per interval and total throughput each way, drops, IOTLB work and
 * CPU time per packet; {@code --sweep} over IOMMU modes and frame sizes.
 */
@Command(name = "nic", mixinStandardHelpOptions = true,
        description = {"Run the 82599 10 GbE card: fwd (ixy-fwd: two ports, each frame received on one is sent on the other),",
                "pktgen (ixy-pktgen: the host sends, the far end counts) or pcap (a file replayed in, captured out).",
                "CPU work takes modeled time (driver, DMA API and IOMMU costs in cycles), so the results show where",
                "the CPU, the IOMMU or the wire limits the rate."})
public final class NicCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", defaultValue = "fwd", paramLabel = "MODE", description = "fwd, pktgen or pcap. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--size", defaultValue = "64", description = "Frame size in bytes, FCS included (64..1518). Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--rate", defaultValue = "100%", description = "Offered load as a share of line rate (50%% or 0.5). Default: 100%%.")
    String rate;

    @Option(names = "--count", defaultValue = "0", description = "Frames each source sends (0: until --duration ends). Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--duration", defaultValue = "20ms", description = "Modeled time to run (ns, us, ms, s). Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--interval", defaultValue = "1s", description = "Report interval of modeled time. Default: ${DEFAULT-VALUE}.")
    String interval;

    @Option(names = "--queues", defaultValue = "1", description = "Queue pairs per port (1..16); pair q is polled by CPU q mod CPUs. Default: ${DEFAULT-VALUE}.")
    int queues;

    @Option(names = "--flows", defaultValue = "0", description = "fwd: the generators send IPv4/UDP frames of this many flows, "
            + "which RSS spreads over the queue pairs (0: plain frames, all on queue 0). Default: ${DEFAULT-VALUE}.")
    int flows;

    @Option(names = "--mode", defaultValue = "poll", description = "How the applications receive: poll (the rings, as ixy) or napi "
            + "(each queue's MSI-X vector schedules a NAPI poll of up to 64 frames). Default: ${DEFAULT-VALUE}.")
    String rxPath;

    @Option(names = "--itr", paramLabel = "US", description = "napi: interrupt moderation interval per queue vector, us, rounded to "
            + "EITR's 2.048 us steps (0: none; default " + NicScenario.DEFAULT_ITR_US + ").")
    Integer itrUs;

    @Option(names = "--cpus", description = "CPUs of the machine (default: the machine's " + MachineConfig.DEFAULT_CPUS + ").")
    Integer cpus;

    @Option(names = "--iommu", defaultValue = "strict", description = "off, pt (pass-through), strict or lazy. Default: ${DEFAULT-VALUE}.")
    String iommu;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine and the payloads. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--non-coherent", description = "A CPU cache DMA does not snoop (64-byte lines).")
    boolean nonCoherent;

    @Option(names = "--both-ways", description = "fwd: a generator on each side, frames forwarded both ways (ixy's benchmark load).")
    boolean bothWays;

    @Option(names = "--pcap-in", paramLabel = "FILE", description = "pcap: the file to replay into eth0.")
    Path pcapIn;

    @Option(names = "--pcap-out", paramLabel = "FILE", description = "fwd, pcap: capture what eth1 sends to this file.")
    Path pcapOut;

    @Option(names = "--pace", defaultValue = "timestamps", description = "pcap: timestamps or line. Default: ${DEFAULT-VALUE}.")
    String pace;

    @Option(names = "--cpu-ghz", description = "CPU clock of the cost model, GHz (default " + 1.6 + ").")
    Double cpuGhz;

    @Option(names = "--sweep", description = "Run IOMMU off/strict/lazy/pt x frame sizes 64..1518, polling and through NAPI, "
            + "and print a table per receive path (--mode is ignored).")
    boolean sweep;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "With --sweep: also plot Mpps against frame size as a PNG.")
    Path plot;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Mixin
    TraceDigestOption traceDigest;

    @Mixin
    JfrOption jfr;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        NicScenario s = scenario();
        if (plot != null && !sweep) {
            throw new IllegalArgumentException("--plot needs --sweep");
        }
        if (sweep && s.mode() == NicMode.PCAP) {
            throw new IllegalArgumentException("--sweep varies the frame size: use it with fwd or pktgen, not pcap");
        }
        jfr.start();
        try {
            return sweep ? sweep(out, s) : runOnce(out, s);
        } finally {
            jfr.stop(spec.commandLine().getErr());
        }
    }

    private int runOnce(PrintWriter out, NicScenario s) throws IOException {
        boolean text = !json;
        if (text) {
            NicReport.header(out, s);
        }
        long[] firstNs = {-1};
        try (ProgressBar bar = progress(s.durationNs() / 1_000_000)) {
            NicResult r = NicRun.run(s, x -> {
                if (firstNs[0] < 0) {
                    firstNs[0] = x.startNs();
                }
                if (text && s.intervalNs() < s.durationNs()) {
                    NicReport.interval(out, x);
                }
                if (bar != null) {
                    bar.stepTo((x.endNs() - firstNs[0]) / 1_000_000); // modeled ms since the sources started
                }
            }, traceDigest::watch);
            if (json) {
                NicReport.json(out, r);
                out.println();
            } else {
                NicReport.totals(out, r);
            }
        }
        traceDigest.print(out);
        out.flush();
        return 0;
    }

    private int sweep(PrintWriter out, NicScenario s) throws IOException {
        int runs = NicSweep.runs();
        if (!json) {
            out.printf("jdma run nic %s --sweep: %d runs of %.3f ms modeled each (polling and NAPI), %d queue pair(s) on %d CPU(s),"
                    + " seed %d%n", s.mode().name().toLowerCase(Locale.ROOT), runs, s.durationNs() / 1e6, s.queues(), s.cpus(), s.seed());
            out.flush();
        }
        Map<NicSweep.Column, List<NicResult>> results;
        try (ProgressBar bar = progress(runs)) {
            results = NicSweep.run(s, () -> {
                if (bar != null) {
                    bar.step();
                }
            }, traceDigest::watch);
        }
        if (json) {
            out.println("[");
            boolean first = true;
            for (List<NicResult> row : results.values()) {
                for (NicResult r : row) {
                    if (!first) {
                        out.println(",");
                    }
                    first = false;
                    NicReport.json(out, r);
                }
            }
            out.println("]");
        } else {
            NicSweep.table(out, results);
        }
        if (plot != null) {
            NicSweep.plot(plot, results);
            if (!json) {
                out.println("plot: " + plot);
            }
        }
        traceDigest.print(out);
        out.flush();
        return 0;
    }

    /** A progress bar on a terminal only (never in tests or pipes, never with JSON). */
    private ProgressBar progress(long max) {
        if (json || System.console() == null || !System.console().isTerminal()) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("nic").setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).build();
    }

    NicScenario scenario() {
        NicMode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "fwd" -> NicMode.FWD;
            case "pktgen" -> NicMode.PKTGEN;
            case "pcap" -> NicMode.PCAP;
            default -> throw new IllegalArgumentException("MODE must be fwd, pktgen or pcap, was " + mode);
        };
        int n = cpus == null ? MachineConfig.DEFAULT_CPUS : cpus;
        if (n < 1 || n > MachineCpus.MAX_CPUS) {
            throw new IllegalArgumentException("--cpus must be 1.." + MachineCpus.MAX_CPUS + ", was " + n);
        }
        PcapReplayer.Pacing pacing = switch (pace.toLowerCase(Locale.ROOT)) {
            case "timestamps" -> PcapReplayer.Pacing.FILE_TIMESTAMPS;
            case "line" -> PcapReplayer.Pacing.LINE_RATE;
            default -> throw new IllegalArgumentException("--pace must be timestamps or line, was " + pace);
        };
        NicRxPath path = switch (rxPath.toLowerCase(Locale.ROOT)) {
            case "poll" -> NicRxPath.POLL;
            case "napi" -> NicRxPath.NAPI;
            default -> throw new IllegalArgumentException("--mode must be poll or napi, was " + rxPath);
        };
        if (itrUs != null && path != NicRxPath.NAPI && !sweep) {
            throw new IllegalArgumentException("--itr moderates interrupts: use it with --mode napi (or --sweep, whose NAPI runs use it)");
        }
        CpuCostModel cost = cpuGhz == null ? CpuCostModel.DEFAULTS : CpuCostModel.DEFAULTS.withCpuGhz(cpuGhz);
        return new NicScenario(m, size, fraction(rate), count, nanos(duration, "--duration"), nanos(interval, "--interval"), queues, n,
                IommuModeNames.parse(iommu), seed, nonCoherent, bothWays, pcapIn, pcapOut, pacing, cost, flows, path,
                itrUs == null ? NicScenario.DEFAULT_ITR_US : itrUs);
    }

    static double fraction(String text) {
        String t = text.strip();
        try {
            if (t.equalsIgnoreCase("line")) {
                return 1.0;
            }
            return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate must be a share of line rate such as 50% or 0.5, was " + text);
        }
    }

    /** "20ms", "1s", "500us", "100ns" (a bare number is ns). */
    static long nanos(String text, String option) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        String number = t;
        for (String[] u : new String[][] {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                number = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            double v = Double.parseDouble(number) * unit;
            if (!(v >= 1) || v > Long.MAX_VALUE / 2.0) {
                throw new NumberFormatException();
            }
            return (long) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a positive time such as 20ms, 1s or 500us, was " + text);
        }
    }
}
