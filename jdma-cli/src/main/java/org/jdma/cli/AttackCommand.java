package org.jdma.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jdma.cli.attack.Attack;
import org.jdma.cli.attack.AttackMode;
import org.jdma.cli.attack.AttackReport;
import org.jdma.cli.attack.AttackResult;
import org.jdma.cli.attack.AttackSuite;
import org.jdma.cli.trace.JfrOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run attack}: a rogue bus master tries every attack of {@link Attack} against the
 * kernel in every IOMMU mode (off, pass-through, lazy, strict, strict with the rogue untrusted),
 * interrupts remapped in all but off. Exits 1 when a mode let an attack through that it should
 * have blocked, or a fault record disagrees with what the device saw.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = {"A rogue DMA device attacks the kernel with the IOMMU off, pass-through, lazy, strict and strict+untrusted.",
                "Per attack: blocked or not, the fault record (device, address or interrupt index, R/W, VT-d reason),",
                "bytes of another owner exposed, and in lazy mode how long a stale IOVA kept working; then an attack x mode table."})
public final class AttackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--mode", split = ",",
            description = "IOMMU modes to run: off, pass-through, lazy, strict, strict+untrusted (default: all five).")
    List<String> modes = new ArrayList<>(List.of("off", "pass-through", "lazy", "strict", "strict+untrusted"));

    @Option(names = "--json", description = "Print the results as JSON (one object per attack, target and mode) instead of text.")
    boolean json;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    JfrOption jfr;

    @Option(names = "--plot", paramLabel = "FILE", description = "Also write a PNG bar chart: attacks blocked and not blocked per IOMMU mode.")
    java.nio.file.Path plot;

    @Override
    public Integer call() throws java.io.IOException {
        List<AttackMode> selected = modes.stream().map(AttackCommand::mode).distinct().toList();
        jfr.start();
        try {
            return run(selected);
        } finally {
            jfr.stop(spec.commandLine().getErr());
        }
    }

    private int run(List<AttackMode> selected) throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<AttackResult> all = new ArrayList<>();
        if (!json) {
            out.printf("jdma run attack: rogue0 (00:10.0) and rogue1 (00:11.0, honours Bus Master Enable) against the kernel;"
                    + " the copy engine (00:04.0) has an RMRR; seed %d%n%n", seed);
        }
        try (me.tongfei.progressbar.ProgressBar bar = Progress.bar("attack", selected.size(), !json)) {
            for (AttackMode m : selected) {
                List<AttackResult> results = AttackSuite.run(m, seed);
                if (!json) {
                    AttackReport.print(out, m, results);
                }
                all.addAll(results);
                if (bar != null) {
                    bar.step();
                }
            }
        }
        if (plot != null) {
            AttackReport.plot(plot, all);
            if (!json) {
                out.println("plot: " + plot);
            }
        }
        List<String> problems = AttackReport.unmetExpectations(all);
        if (json) {
            AttackReport.printJson(out, all);
            out.flush();
            return problems.isEmpty() ? 0 : 1;
        }
        AttackReport.printTable(out, all);
        if (problems.isEmpty()) {
            out.println("As expected: with DMA remapping (lazy, strict) every memory attack is blocked and recorded except"
                    + " the sub-page read, whose page the IOMMU maps whole; bouncing an untrusted device's buffer exposes 0 bytes;"
                    + " with interrupt remapping every forged or replayed MSI is refused; a device that honours a clear Bus"
                    + " Master Enable gets a master abort in every mode, one that ignores it is stopped only by the IOMMU.");
        } else {
            out.println("UNEXPECTED:");
            problems.forEach(p -> out.println("  " + p));
        }
        out.flush();
        return problems.isEmpty() ? 0 : 1;
    }

    private static AttackMode mode(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "off" -> AttackMode.OFF;
            case "pass-through", "pt" -> AttackMode.PASS_THROUGH;
            case "strict" -> AttackMode.STRICT;
            case "lazy" -> AttackMode.LAZY;
            case "strict+untrusted", "untrusted" -> AttackMode.STRICT_UNTRUSTED;
            default -> throw new IllegalArgumentException("--mode takes off, pass-through, lazy, strict or strict+untrusted, not '" + s + "'");
        };
    }
}
