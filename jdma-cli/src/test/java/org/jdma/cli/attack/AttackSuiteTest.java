package org.jdma.cli.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttackSuiteTest {

    static String print(AttackMode mode, List<AttackResult> results) {
        StringWriter w = new StringWriter();
        AttackReport.print(new PrintWriter(w, true), mode, results);
        return w.toString();
    }

    static List<AttackResult> of(List<AttackResult> all, Attack a) {
        return all.stream().filter(r -> r.attack() == a).toList();
    }

    @Test
    void shouldLetEveryAttackThroughWithTheIommuOff() {
        List<AttackResult> off = AttackSuite.run(AttackMode.OFF, 1);
        String report = print(AttackMode.OFF, off);
        for (AttackResult r : off) {
            assertFalse(r.blocked(), r + "\n" + report);
        }
        assertTrue(of(off, Attack.READ_KERNEL_MEMORY).getFirst().effect().contains("kernel secret"), report);
        assertTrue(of(off, Attack.WRITE_KERNEL_MEMORY).getFirst().effect().startsWith("overwrote 64 bytes"), report);
        assertTrue(of(off, Attack.READ_PEER_BUFFER).getFirst().effect().contains("copy engine data"), report);
        assertTrue(of(off, Attack.RMRR_OF_ANOTHER_DEVICE).getFirst().effect().startsWith("overwrote"), report);
        assertTrue(of(off, Attack.STALE_IOVA).getFirst().staleWindowNs().isEmpty(), report);
        assertTrue(of(off, Attack.STALE_IOVA).getFirst().effect().contains("nothing ever blocked it"), report);
        assertTrue(AttackReport.unmetExpectations(off).isEmpty(), "nothing is expected of a machine without an IOMMU");
    }

    @Test
    void shouldDeliverAnMsiWriteAsAnInterruptInEveryMode() {
        for (AttackMode mode : AttackMode.values()) {
            try (AttackBed bed = new AttackBed(mode, 1)) {
                AttackResult r = AttackSuite.run(Attack.MSI_WINDOW, bed).getFirst();
                assertTrue(r.device().isOk(), mode + ": " + r);
                assertFalse(r.blocked());
                assertEquals(1, bed.kernel().copyEngine().completionInterrupts(), mode + ": the driver's handler ran once: " + r.effect());
                assertTrue(r.effect().contains("(0 -> 1 handled)"), r.effect());
            }
        }
    }

    @Test
    void shouldFlagAnUnblockedAttackInStrictMode() {
        // The judge itself: an OFF result relabelled as strict must be reported.
        List<AttackResult> off = of(AttackSuite.run(AttackMode.OFF, 1), Attack.READ_KERNEL_MEMORY);
        AttackResult r = off.getFirst();
        AttackResult asStrict = new AttackResult(r.attack(), AttackMode.STRICT, r.target(), r.blocked(), r.effect(), r.device(),
                r.deviceFault(), r.kernelFault(), r.staleWindowNs());
        List<String> problems = AttackReport.unmetExpectations(List.of(asStrict));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("not blocked"), problems.toString());
    }
}
