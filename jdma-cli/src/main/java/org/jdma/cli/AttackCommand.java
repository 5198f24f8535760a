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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdma run attack}: a rogue bus master tries every attack of {@link Attack} against the
 * kernel with the IOMMU off, strict and lazy. Exits 1 when strict or lazy mode let an attack
 * through that it should have blocked, or a fault record disagrees with what the device saw.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = {"A rogue DMA device attacks the kernel with the IOMMU off, strict and lazy.",
                "Per attack: blocked or not, the fault record (device, address, R/W, VT-d reason),",
                "and in lazy mode how long a stale IOVA kept working."})
public final class AttackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--mode", split = ",", description = "IOMMU modes to run: off, strict, lazy (default: all three).")
    List<String> modes = new ArrayList<>(List.of("off", "strict", "lazy"));

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the machine. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<AttackMode> selected = modes.stream().map(AttackCommand::mode).distinct().toList();
        out.printf("jdma run attack: rogue0 (00:10.0) and rogue1 (00:11.0, honours Bus Master Enable) against the kernel;"
                + " the copy engine (00:04.0) has an RMRR; seed %d%n%n", seed);
        List<AttackResult> all = new ArrayList<>();
        for (AttackMode m : selected) {
            List<AttackResult> results = AttackSuite.run(m, seed);
            AttackReport.print(out, m, results);
            all.addAll(results);
        }
        List<String> problems = AttackReport.unmetExpectations(all);
        if (problems.isEmpty()) {
            out.println("As expected: with the IOMMU on every memory attack is blocked and recorded; an MSI write is an"
                    + " interrupt, which DMA remapping does not police; a device that honours a clear Bus Master Enable"
                    + " gets a master abort in every mode, one that ignores it is stopped only by the IOMMU.");
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
            case "strict" -> AttackMode.STRICT;
            case "lazy" -> AttackMode.LAZY;
            default -> throw new IllegalArgumentException("--mode takes off, strict or lazy, not '" + s + "'");
        };
    }
}
