package org.jdma.cli.attack;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.bus.FaultReason;

/** Prints attack results as a table per mode, and judges them against what each mode should do. */
public final class AttackReport {

    private AttackReport() { }

    /**
     * What should have happened and did not: in strict and lazy mode every attack but the MSI write
     * (and, in lazy mode, the stale IOVA) is blocked, and each blocked translation fault has a
     * kernel fault record that names the same device, page, direction and reason; in lazy mode the
     * stale IOVA kept working for a non-zero window. In every mode, OFF included, a device that
     * honours a clear Bus Master Enable gets a master abort and moves nothing. Nothing else is
     * expected of mode OFF.
     */
    public static List<String> unmetExpectations(List<AttackResult> results) {
        List<String> problems = new ArrayList<>();
        for (AttackResult r : results) {
            if (r.attack() == Attack.BUS_MASTER_DISABLED && r.attacker().equals(AttackBed.COMPLIANT)
                    && (!r.blocked() || r.device().reason() != FaultReason.BUS_MASTER_DISABLED)) {
                problems.add(r.mode().label() + " / " + r.attack().title() + " / " + r.target()
                        + ": expected a master abort (bus mastering disabled), got " + r.effect());
            }
            if (r.mode() == AttackMode.OFF || r.attack() == Attack.MSI_WINDOW
                    || (r.attack() == Attack.BUS_MASTER_DISABLED && r.attacker().equals(AttackBed.COMPLIANT))) {
                continue;
            }
            String where = r.mode().label() + " / " + r.attack().title() + " / " + r.target();
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
            if (r.translationFault() && !r.faultRecordMatches()) {
                problems.add(where + ": the kernel's fault record " + r.kernelFault().map(AttackResult::kernelFaultText).orElse("(none)")
                        + " does not match the device's fault " + r.deviceFaultText().orElse("(none)"));
            }
        }
        return problems;
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
        }
        long blocked = results.stream().filter(AttackResult::blocked).count();
        out.printf("  %d of %d blocked%n%n", blocked, results.size());
    }
}
