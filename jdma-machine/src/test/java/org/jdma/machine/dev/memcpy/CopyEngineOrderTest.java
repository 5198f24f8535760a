package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.bus.Access;
import org.jdma.platform.irq.MsiMessage;
import org.junit.jupiter.api.Test;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * The exact sequence of device stores on the bus: data, then the completion record with its status
 * byte last, then the MSI; and an interrupt handler that therefore always finds the record done.
 */
class CopyEngineOrderTest {

    private static final int RCI_FLAGS = RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI;

    /** One bus request as a BusMonitor sees it. */
    record Seen(Access access, long address, long length, boolean msi, boolean ok, long timeNs) {
        String shape() {
            return (msi ? "MSI " : "") + access + " " + Long.toHexString(address) + "+" + length;
        }
    }

    private static List<Seen> watch(EngineRig rig) {
        List<Seen> seen = new ArrayList<>();
        rig.machine.addBusMonitor((rid, access, addr, len, msi, ok, t) -> seen.add(new Seen(access, addr, len, msi, ok, t)));
        return seen;
    }

    @Test
    void shouldStoreDataThenRecordBodyThenStatusByteThenMsi() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            MsiMessage msg = rig.machine.interrupts().messageFor(vector);
            byte[] src = new byte[512];
            Arrays.fill(src, (byte) 0xA5);
            rig.cpu.write(DATA, src);
            List<Completion> seenByHandler = new ArrayList<>();
            List<byte[]> dataSeenByHandler = new ArrayList<>();
            rig.machine.interrupts().register(vector, v -> {
                seenByHandler.add(rig.record(recordAddress(0)));
                dataSeenByHandler.add(rig.bytes(DATA + 0x8000, 512));
            });
            rig.msix(2, msg);
            rig.enable(16);
            List<Seen> seen = watch(rig);

            rig.submit(memmove(DATA, DATA + 0x8000, 512, recordAddress(0)).op(Opcode.MEMMOVE.code(), RCI_FLAGS).handle(2));
            rig.runIdle();

            long rec = recordAddress(0);
            assertEquals(List.of(
                    "READ " + Long.toHexString(RING) + "+64",
                    "READ " + Long.toHexString(DATA) + "+512",
                    "WRITE " + Long.toHexString(DATA + 0x8000) + "+512",
                    "WRITE " + Long.toHexString(rec + 1) + "+31",
                    "WRITE " + Long.toHexString(rec) + "+1",
                    "MSI WRITE " + Long.toHexString(msg.address()) + "+4"),
                    seen.stream().map(Seen::shape).toList());
            assertTrue(seen.stream().allMatch(Seen::ok));
            assertTrue(seen.get(2).timeNs() < seen.get(3).timeNs(), "the record comes in a later event than the data");
            assertEquals(seen.get(4).timeNs(), seen.get(5).timeNs(), "the MSI goes out right after the status byte");

            assertEquals(1, seenByHandler.size(), "handler ran once");
            assertEquals(CompletionStatus.SUCCESS, seenByHandler.getFirst().code(), "handler finds the record complete");
            assertEquals(512, seenByHandler.getFirst().bytesCompleted());
            assertArrayEquals(src, dataSeenByHandler.getFirst(), "handler finds the data");
        }
    }

    @Test
    void shouldCompleteOneDescriptorEntirelyBeforeFetchingTheNext() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            MsiMessage msg = rig.machine.interrupts().messageFor(vector);
            rig.machine.interrupts().register(vector, v -> { });
            rig.msix(0, msg);
            rig.enable(16);
            List<Seen> seen = watch(rig);
            for (int i = 0; i < 3; i++) {
                rig.put(i, memfill(i, DATA + i * 0x100L, 0x100, recordAddress(i)).op(Opcode.MEMFILL.code(), RCI_FLAGS));
            }
            rig.write(SUBMIT_INDEX, 3);
            rig.runIdle();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                expected.add("READ " + Long.toHexString(RING + 64L * i) + "+64");
                expected.add("WRITE " + Long.toHexString(DATA + i * 0x100L) + "+256");
                expected.add("WRITE " + Long.toHexString(recordAddress(i) + 1) + "+31");
                expected.add("WRITE " + Long.toHexString(recordAddress(i)) + "+1");
                expected.add("MSI WRITE " + Long.toHexString(msg.address()) + "+4");
            }
            assertEquals(expected, seen.stream().map(Seen::shape).toList());
            assertEquals(3, rig.machine.interrupts().dispatched(vector));
        }
    }

    @Test
    void shouldSendTheInterruptEvenForAnErrorStatusAfterItsRecord() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            List<Completion> seenByHandler = new ArrayList<>();
            rig.machine.interrupts().register(vector, v -> seenByHandler.add(rig.record(recordAddress(0))));
            rig.msix(1, rig.machine.interrupts().messageFor(vector));
            rig.enable(16);
            rig.submit(new Desc().op(0x42, RCI_FLAGS).completion(recordAddress(0)).handle(1));
            rig.runIdle();
            assertEquals(1, seenByHandler.size());
            assertEquals(CompletionStatus.BAD_OPCODE, seenByHandler.getFirst().code());
        }
    }

    @Test
    void shouldPendTheCompletionInterruptOfAMaskedEntryUntilTheDriverUnmasksIt() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            int[] count = new int[1];
            rig.machine.interrupts().register(vector, v -> count[0]++);
            rig.msix(3, rig.machine.interrupts().messageFor(vector));
            long control = rig.bar + MSIX_TABLE + 3L * MSIX_ENTRY_SIZE + MSIX_VECTOR_CONTROL;
            rig.cpu.write32(control, MSIX_VECTOR_MASKED);
            rig.enable(16);
            rig.submit(noop(recordAddress(0)).op(Opcode.NOOP.code(), RCI_FLAGS).handle(3));
            rig.submit(noop(recordAddress(1)).op(Opcode.NOOP.code(), RCI_FLAGS).handle(3));
            rig.runIdle();
            assertEquals(0, count[0]);
            assertEquals(1L << 3, rig.reg64(MSIX_PBA));
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code());

            rig.cpu.write32(control, 0);
            rig.runIdle();
            assertEquals(1, count[0], "one message for the pending bit");
            assertEquals(0, rig.reg64(MSIX_PBA));
        }
    }

    @Test
    void shouldMaskEveryEntryAgainOnReset() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            rig.msix(0, rig.machine.interrupts().messageFor(vector));
            assertEquals(0, rig.reg(MSIX_TABLE + MSIX_VECTOR_CONTROL));
            rig.write(CONTROL, CONTROL_RESET);
            for (int e = 0; e < 16; e++) {
                assertEquals(MSIX_VECTOR_MASKED, rig.reg(MSIX_TABLE + e * MSIX_ENTRY_SIZE + MSIX_VECTOR_CONTROL), "entry " + e);
            }
            assertEquals(0, rig.reg64(MSIX_TABLE + MSIX_ADDR_LO));
        }
    }
}
