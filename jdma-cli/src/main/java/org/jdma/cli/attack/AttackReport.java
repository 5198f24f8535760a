package org.jdma.cli.attack;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.bus.FaultReason;

/** Prints attack results as a table per mode, and judges them against what each mode should do. */
public final class AttackReport {

    private AttackReport() { }

    /**
     * What should have happened and did not. In every mode, OFF included, a device that honours a
     * clear Bus Master Enable gets a master abort and moves nothing. Every mode with interrupt
     * remapping (all but OFF) blocks each forged or replayed MSI. Strict, strict+untrusted and lazy
     * block every memory attack but the sub-page read (lazy: the stale IOVA works for a non-zero
     * window, then is blocked), and each blocked translation fault has a kernel fault record naming
     * the same device, page (or interrupt), direction and reason. Strict+untrusted exposes no byte
     * of another owner in the sub-page read. Pass-through and OFF promise nothing for memory.
     */
    public static List<String> unmetExpectations(List<AttackResult> results) {
        List<String> problems = new ArrayList<>();
        for (AttackResult r : results) {
            String where = r.mode().label() + " / " + r.attack().title() + " / " + r.target();
            if (r.attack() == Attack.BUS_MASTER_DISABLED && r.attacker().equals(AttackBed.COMPLIANT)) {
                if (!r.blocked() || r.device().reason() != FaultReason.BUS_MASTER_DISABLED) {
                    problems.add(where + ": expected a master abort (bus mastering disabled), got " + r.effect());
                }
                continue;
            }
            if (isMsi(r.attack())) {
                if (r.mode().interruptRemapping() && !r.blocked()) {
                    problems.add(where + ": interrupt remapping should have refused it: " + r.effect());
                }
            } else if (r.attack() == Attack.SUB_PAGE_READ) {
                if (r.mode() == AttackMode.STRICT_UNTRUSTED && r.exposedBytes() != 0) {
                    problems.add(where + ": an untrusted device's sub-page mapping exposed " + r.exposedBytes() + " bytes: " + r.effect());
                }
            } else if (translating(r.mode())) {
                boolean lazyStale = r.mode() == AttackMode.LAZY && r.attack() == Attack.STALE_IOVA;
                if (lazyStale) {
                    if (r.staleWindowNs().orElse(0) <= 0) {
                        problems.add(where + ": expected a non-zero stale-IOVA window in lazy mode, got " + r.effect());
                    }
                    if (r.device().isOk()) {
                        problems.add(where + ": the stale IOVA was never invalidated: " + r.effect());
                    }
                } else if (!r.blocked()) {
                    problems.add(where + ": not blocked: " + r.effect());
                }
            }
            if (r.mode() != AttackMode.OFF && r.translationFault() && !r.faultRecordMatches()) {
                problems.add(where + ": the kernel's fault record " + r.kernelFault().map(AttackResult::kernelFaultText).orElse("(none)")
                        + " does not match the device's fault " + r.deviceFaultText().orElse("(none)"));
            }
        }
        return problems;
    }

    /**
     * A bar chart, as a PNG: per IOMMU mode, the attack attempts (attack x target) blocked and the
     * ones that got through.
     */
    public static void plot(java.nio.file.Path file, List<AttackResult> results) throws java.io.IOException {
        org.knowm.xchart.CategoryChart chart = org.jdma.cli.plot.Charts.bars("jdma run attack: what each IOMMU mode stops",
                "IOMMU mode", "attack attempts (count)");
        List<String> modes = new ArrayList<>();
        List<Integer> blocked = new ArrayList<>();
        List<Integer> through = new ArrayList<>();
        for (AttackMode m : results.stream().map(AttackResult::mode).distinct().toList()) {
            List<AttackResult> rs = results.stream().filter(r -> r.mode() == m).toList();
            int b = (int) rs.stream().filter(AttackResult::blocked).count();
            modes.add(m.label());
            blocked.add(b);
            through.add(rs.size() - b);
        }
        chart.addSeries("blocked", modes, blocked);
        chart.addSeries("not blocked", modes, through);
        org.jdma.cli.plot.Charts.savePng(chart, file);
    }

    /** The attacks that are interrupt requests, not memory accesses. */
    static boolean isMsi(Attack a) {
        return a == Attack.MSI_WINDOW || a == Attack.MSI_COMPATIBILITY || a == Attack.MSI_REMAPPABLE;
    }

    /** Modes whose DMA domains translate (every device has its own page tables). */
    static boolean translating(AttackMode m) {
        return m == AttackMode.STRICT || m == AttackMode.LAZY || m == AttackMode.STRICT_UNTRUSTED;
    }

    /** One cell of the attack x mode table: BLOCKED or LEAKED, the fault reason, the bytes exposed. */
    static String cell(List<AttackResult> rs) {
        boolean blocked = rs.stream().allMatch(AttackResult::blocked);
        String reason = rs.stream().filter(r -> !r.device().isOk() && !r.device().detail().isNone())
                .map(r -> String.format("%#x", r.device().detail().code())).distinct().reduce((a, b) -> a + "/" + b).orElse("");
        long exposed = rs.stream().mapToLong(AttackResult::exposedBytes).filter(b -> b >= 0).sum();
        boolean hasBytes = rs.stream().anyMatch(r -> r.exposedBytes() >= 0);
        return (blocked ? "blocked" : "LEAKED") + (reason.isEmpty() ? "" : " " + reason) + (hasBytes ? " " + exposed + "B" : "");
    }

    /** The summary table: one row per attack, one column per mode. */
    public static void printTable(PrintWriter out, List<AttackResult> results) {
        List<AttackMode> modes = results.stream().map(AttackResult::mode).distinct().toList();
        out.printf("%-36s", "attack");
        modes.forEach(m -> out.printf(" %-20s", m.label()));
        out.println();
        for (Attack a : Attack.values()) {
            out.printf("%-36s", a.title());
            for (AttackMode m : modes) {
                List<AttackResult> rs = results.stream().filter(r -> r.attack() == a && r.mode() == m
                        && !(a == Attack.BUS_MASTER_DISABLED && r.attacker().equals(AttackBed.COMPLIANT))).toList();
                out.printf(" %-20s", rs.isEmpty() ? "-" : cell(rs));
            }
            out.println();
        }
        out.println("(cell: blocked or LEAKED, the VT-d fault reason the device saw, bytes of another owner exposed;"
                + " bus mastering off counts the device that ignores the bit)");
        out.println();
    }

    /** Every result as JSON, for scripts: an array of objects, one per attack, target and mode. */
    public static void printJson(PrintWriter out, List<AttackResult> results) {
        out.println("[");
        for (int i = 0; i < results.size(); i++) {
            AttackResult r = results.get(i);
            out.printf("  {\"attack\": \"%s\", \"mode\": \"%s\", \"target\": %s, \"attacker\": \"%s\", \"blocked\": %s,"
                            + " \"faultReason\": %s, \"faultName\": %s, \"exposedBytes\": %s, \"staleWindowNs\": %s,"
                            + " \"kernelFault\": %s, \"effect\": %s}%s%n",
                    r.attack().name(), r.mode().label(), json(r.target()), r.attacker(), r.blocked(),
                    r.device().isOk() || r.device().detail().isNone() ? "null" : Integer.toString(r.device().detail().code()),
                    r.device().isOk() || r.device().detail().isNone() ? "null" : json(r.device().detail().name()),
                    r.exposedBytes() < 0 ? "null" : Long.toString(r.exposedBytes()),
                    r.staleWindowNs().isPresent() ? Long.toString(r.staleWindowNs().getAsLong()) : "null",
                    r.kernelFault().map(k -> json(AttackResult.kernelFaultText(k))).orElse("null"), json(r.effect()),
                    i + 1 < results.size() ? "," : "");
        }
        out.println("]");
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    public static void print(PrintWriter out, AttackMode mode, List<AttackResult> results) {
        out.printf("IOMMU %s%n", mode.label());
        for (AttackResult r : results) {
            out.printf("  %-28s %-40s %s%n", r.attack().title(), r.target(), r.blocked() ? "BLOCKED" : "NOT BLOCKED");
            out.printf("      %s%n", r.effect());
            r.deviceFaultText().ifPresent(f -> out.printf("      device saw:   %s%n", f));
            r.kernelFault().ifPresent(f -> out.printf("      fault record: %s%s%n", AttackResult.kernelFaultText(f),
                    r.faultRecordMatches() ? "" : "  <- does not match"));
            if (r.translationFault() && r.kernelFault().isEmpty()) {
                out.println("      fault record: none reported by the kernel");
            }
            r.staleWindowNs().ifPresent(ns -> out.printf("      stale window: %s (%,d ns of virtual time)%n", AttackSuite.formatNs(ns), ns));
            if (r.exposedBytes() >= 0) {
                out.printf("      exposed: %d bytes of another owner%n", r.exposedBytes());
            }
        }
        long blocked = results.stream().filter(AttackResult::blocked).count();
        out.printf("  %d of %d blocked%n%n", blocked, results.size());
    }
}
