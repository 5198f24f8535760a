package org.jdma.cli.attack;

import org.jdma.machine.dev.rogue.RogueDevice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.FlushQueue;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.FaultReason;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.jdma.spec.pci.RequesterId;
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
            if (!r.attacker().equals(AttackBed.COMPLIANT)) {
                assertFalse(r.blocked(), r + "\n" + report);
            }
        }
        assertTrue(of(off, Attack.READ_KERNEL_MEMORY).getFirst().effect().contains("kernel secret"), report);
        assertTrue(of(off, Attack.WRITE_KERNEL_MEMORY).getFirst().effect().startsWith("overwrote 64 bytes"), report);
        assertTrue(of(off, Attack.READ_PEER_BUFFER).getFirst().effect().contains("copy engine data"), report);
        assertTrue(of(off, Attack.RMRR_OF_ANOTHER_DEVICE).getFirst().effect().startsWith("overwrote"), report);
        // Attempted, not assumed: the rogue writes where RTADDR_REG points (its reset value, 0: the kernel set no table).
        AttackResult tables = of(off, Attack.WRITE_PAGE_TABLES).getFirst();
        assertEquals(1, of(off, Attack.WRITE_PAGE_TABLES).size(), report);
        assertTrue(tables.target().startsWith("RTADDR_REG 0x0 "), report);
        assertTrue(tables.device().isOk() && tables.effect().startsWith("overwrote 64 bytes"), report);
        assertTrue(of(off, Attack.STALE_IOVA).getFirst().staleWindowNs().isEmpty(), report);
        assertTrue(of(off, Attack.STALE_IOVA).getFirst().effect().contains("nothing ever blocked it"), report);
        assertEquals(List.of(), AttackReport.unmetExpectations(off), "only the master abort is expected of a machine without an IOMMU");
    }

    static final RequesterId ROGUE = RogueDevice.slot(0);

    /** Every memory attack blocked with a fault record naming the rogue, the page, the direction and the permission reason. */
    static void assertBlockedAndRecorded(AttackResult r, String report) {
        assertTrue(r.blocked(), r.mode() + " " + r.attack() + " " + r.target() + " must be blocked:\n" + report);
        assertEquals(FaultReason.NO_PERMISSION, r.device().reason(), report);
        IommuFault k = r.kernelFault().orElseThrow(() -> new AssertionError("no kernel fault record for " + r + "\n" + report));
        assertTrue(r.faultRecordMatches(), r + "\n" + report);
        assertEquals(ROGUE, k.device());
        assertEquals(r.device().faultAddress() & ~0xFFFL, k.iovaPage(), "the unit records the page");
        assertEquals(IommuFault.Kind.NO_PERMISSION, k.kind(), "the kernel names the same generic kind: " + k);
        VtdFaultReason expected = k.read() ? VtdFaultReason.READ_NOT_PERMITTED : VtdFaultReason.WRITE_NOT_PERMITTED;
        assertEquals(new IommuFault.Detail("VT-d", expected.code(), expected.name()), k.detail(),
                "an unmapped page has neither R nor W: " + k);
        assertEquals(k.detail().code(), r.device().detail().code(), "device and kernel see the same VT-d reason");
    }

    @Test
    void shouldBlockAndRecordEveryMemoryAttackInStrictMode() {
        List<AttackResult> strict = AttackSuite.run(AttackMode.STRICT, 1);
        String report = print(AttackMode.STRICT, strict);
        assertEquals(List.of(), AttackReport.unmetExpectations(strict), report);
        for (AttackResult r : strict) {
            if (r.attack() != Attack.MSI_WINDOW && !r.attacker().equals(AttackBed.COMPLIANT)) {
                assertBlockedAndRecorded(r, report);
            }
        }
        // The peer's buffer is tried at its physical address and at the copy engine's IOVA; the tables at the root and the peer's page table.
        assertEquals(2, of(strict, Attack.READ_PEER_BUFFER).size(), report);
        assertEquals(2, of(strict, Attack.WRITE_PAGE_TABLES).size(), report);
        assertEquals(0, of(strict, Attack.STALE_IOVA).getFirst().staleWindowNs().orElseThrow(), "strict: the first retry faults");
        assertFalse(of(strict, Attack.MSI_WINDOW).getFirst().blocked(), "an MSI is an interrupt, not a memory write");
    }

    @Test
    void shouldLeaveANonZeroStaleIovaWindowInLazyModeAndBlockEverythingElse() {
        List<AttackResult> lazy = AttackSuite.run(AttackMode.LAZY, 1);
        String report = print(AttackMode.LAZY, lazy);
        assertEquals(List.of(), AttackReport.unmetExpectations(lazy), report);
        AttackResult stale = of(lazy, Attack.STALE_IOVA).getFirst();
        assertFalse(stale.blocked(), report);
        long window = stale.staleWindowNs().orElseThrow();
        // The flush queue's timer fires 10 ms after the unmap was queued; the rogue retries every 100 µs.
        assertTrue(window >= FlushQueue.DEFAULT_TIMEOUT_NS && window <= FlushQueue.DEFAULT_TIMEOUT_NS + 2 * AttackSuite.STALE_RETRY_STEP_NS,
                "window " + window + " ns\n" + report);
        assertTrue(stale.effect().contains("reused frame: new owner's data"), "it read the frame's new contents: " + stale.effect());
        assertTrue(stale.kernelFault().isPresent() && stale.faultRecordMatches(), "once flushed, the retry faults and is recorded: " + report);
        for (AttackResult r : lazy) {
            if (r.attack() != Attack.MSI_WINDOW && r.attack() != Attack.STALE_IOVA && !r.attacker().equals(AttackBed.COMPLIANT)) {
                assertBlockedAndRecorded(r, report);
            }
        }
    }

    @Test
    void shouldEndADmaWithBusMasteringOffInAMasterAbortInEveryModeWhenTheDeviceHonoursTheBit() {
        for (AttackMode mode : AttackMode.values()) {
            try (AttackBed bed = new AttackBed(mode, 1)) {
                List<AttackResult> results = AttackSuite.run(Attack.BUS_MASTER_DISABLED, bed);
                String report = print(mode, results);
                assertEquals(2, results.size(), report);
                AttackResult compliant = results.getFirst();
                assertEquals(AttackBed.COMPLIANT, compliant.attacker());
                assertTrue(compliant.blocked(), report);
                assertEquals(FaultReason.BUS_MASTER_DISABLED, compliant.device().reason(), report);
                assertTrue(compliant.kernelFault().isEmpty(), "the request never reached the IOMMU: " + report);
                assertTrue(compliant.effect().contains("Bus Master Enable clear") && compliant.effect().contains("Received Master Abort set"),
                        report);
                assertEquals(0, bed.configCommand(AttackBed.COMPLIANT) & PciConfigLayout.COMMAND_BUS_MASTER, "the OS never set it");
                assertTrue((bed.configStatus(AttackBed.COMPLIANT) & PciConfigLayout.STATUS_RECEIVED_MASTER_ABORT) != 0,
                        "the OS reads the master abort in the device's Status register");

                AttackResult hostile = results.get(1);
                assertEquals(ROGUE, hostile.attacker());
                assertEquals(mode != AttackMode.OFF, hostile.blocked(), "a device that ignores the bit is stopped only by the IOMMU: " + report);
                assertTrue(hostile.effect().contains("ignores it"), report);
                // With the IOMMU on, its read fails as an Unsupported Request completion: a master abort too.
                assertEquals(mode != AttackMode.OFF, hostile.effect().contains("Received Master Abort set"), report);
                assertEquals(List.of(), AttackReport.unmetExpectations(results), report);
            }
        }
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
                r.attacker(), r.kernelFault(), r.staleWindowNs());
        List<String> problems = AttackReport.unmetExpectations(List.of(asStrict));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.getFirst().contains("not blocked"), problems.toString());
    }
}
