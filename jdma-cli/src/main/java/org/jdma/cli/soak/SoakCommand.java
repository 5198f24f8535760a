package org.jdma.cli.soak;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.cli.trace.TraceDigestOption;
import org.jdma.kernel.iommu.IommuMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run soak}: every device busy at once with faults, resets and mapping churn
 * ({@link Soak}); prints what each device did and the end-of-run checks, and exits 1 when one
 * fails, naming it and by how much.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run copy engines, NIC forwarding, NVMe random I/O and the ISA block device at once, with IOMMU faults",
                "injected, driver resets and DMA-API churn under the checker; then check that nothing was lost, corrupted",
                "or leaked. Exit status 1 when a check fails."})
public final class SoakCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", description = "Wall minutes to run (the work done then depends on the box's speed).")
    Double minutes;

    @Option(names = "--modeled-ms", description = "Modeled milliseconds to run instead (repeats exactly for a seed). Default: 200 when --minutes is not given.")
    Long modeledMs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine and every workload. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--iommu", defaultValue = "lazy", description = {"off, strict, lazy or identity. Default: ${DEFAULT-VALUE}, as",
            "Linux on x86; strict reuses each IOVA at once, so a lost IOTLB invalidation shows as corrupted data."})
    String iommu;

    @Mixin
    TraceDigestOption traceDigest;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (minutes != null && modeledMs != null) {
            throw new IllegalArgumentException("give --minutes or --modeled-ms, not both");
        }
        IommuMode mode = IommuModeNames.parse(iommu);
        SoakConfig config;
        if (minutes != null) {
            if (!(minutes > 0)) {
                throw new IllegalArgumentException("--minutes must be positive, was " + minutes);
            }
            config = SoakConfig.wall(seed, mode, (long) (minutes * 60e9));
        } else {
            long ms = modeledMs == null ? 200 : modeledMs;
            if (ms <= 0) {
                throw new IllegalArgumentException("--modeled-ms must be positive, was " + ms);
            }
            config = SoakConfig.modeled(seed, mode, ms * 1_000_000L);
        }
        out.printf(Locale.ROOT, "jdma run soak: %s, IOMMU %s, seed %d%n", minutes != null ? minutes + " min wall"
                : config.modeledNs() / 1_000_000 + " ms modeled", mode.name().toLowerCase(Locale.ROOT), seed);
        out.flush();
        SoakReport report;
        try (ProgressBar bar = progress()) {
            report = Soak.run(config, traceDigest::watch, f -> {
                if (bar != null) {
                    bar.stepTo((long) (f * 1000));
                }
            });
        }
        report.print(out);
        traceDigest.print(out);
        out.flush();
        return report.passed() ? 0 : 1;
    }

    private static ProgressBar progress() {
        if (System.console() == null || !System.console().isTerminal()) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("soak").setInitialMax(1000).setUnit("‰", 1).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).build();
    }

}
