package org.jdma.machine.dev.memcpy;

import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DSA semantics beyond the formats: a failed descriptor writes its record whenever CRAV is set
 * (RCR or not), and DRAIN completes only after everything submitted before it.
 */
class CopyEngineDsaSemanticsTest {

    private static final int CRAV = CopyDescriptorLayout.FLAG_CRAV;

    @Test
    void shouldWriteTheRecordOfAFailedDescriptorWithCravSetAndRcrClear() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.submit(memmove(DATA, DATA + 0x1000, 0, recordAddress(0)).op(Opcode.MEMMOVE.code(), CRAV)); // XFER_ERANGE
            rig.submit(memmove(DATA, HOLE, 64, recordAddress(1)).op(Opcode.MEMMOVE.code(), CRAV));        // write fault
            rig.runIdle();
            assertEquals(CompletionStatus.XFER_ERANGE, rig.record(recordAddress(0)).code());
            Completion fault = rig.record(recordAddress(1));
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, fault.code());
            assertTrue(fault.writeFault());
            assertEquals(HOLE, fault.faultAddress());
        }
    }

    @Test
    void shouldWriteNoRecordForASuccessWithoutRcrNorForAFailureWithoutCrav() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            int[] handled = new int[1];
            rig.machine.interrupts().register(vector, v -> handled[0]++);
            rig.msix(0, rig.machine.interrupts().messageFor(vector));
            rig.enable(16);
            rig.cpu.fill(DATA, 64, (byte) 9);
            rig.submit(memmove(DATA, DATA + 0x1000, 64, recordAddress(0)).op(Opcode.MEMMOVE.code(), CRAV | CopyDescriptorLayout.FLAG_RCI));
            rig.submit(memmove(DATA, DATA + 0x2000, 0, recordAddress(1)).op(Opcode.MEMMOVE.code(), CopyDescriptorLayout.FLAG_RCR));
            rig.runIdle();
            assertEquals(0, rig.record(recordAddress(0)).status(), "success, and no record asked for");
            assertEquals(9, rig.bytes(DATA + 0x1000, 1)[0], "the data moved");
            assertEquals(1, handled[0], "the interrupt still comes");
            assertEquals(0, rig.record(recordAddress(1)).status(), "no valid record address");
            assertEquals(2, rig.reg64(COMPLETED));
            assertEquals(0, rig.reg(ERROR));
        }
    }

    @Test
    void shouldPublishTheDrainRecordOnlyAfterEveryEarlierRecordThenItsMsi() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            MsiMessage msg = rig.machine.interrupts().messageFor(vector);
            List<List<Integer>> statusesAtDrainInterrupt = new ArrayList<>();
            rig.machine.interrupts().register(vector, v -> {
                List<Integer> s = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    s.add(rig.record(recordAddress(i)).status());
                }
                statusesAtDrainInterrupt.add(s);
            });
            rig.msix(0, msg);
            rig.enable(16);
            List<String> statusWrites = new ArrayList<>();
            rig.machine.addBusMonitor((rid, access, addr, len, msi, ok, t) -> {
                if (msi) {
                    statusWrites.add("MSI");
                } else if (len == 1) {
                    statusWrites.add("status " + (addr - RECORDS) / 32);
                }
            });
            // Three copies in flight (one doorbell), then a DRAIN that asks for the interrupt.
            for (int i = 0; i < 3; i++) {
                rig.put(i, memmove(DATA, DATA + 0x10000L * (i + 1), 0x4000, recordAddress(i)));
            }
            rig.put(3, new Desc().op(Opcode.DRAIN.code(), RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI).completion(recordAddress(3)));
            rig.tail = 4;
            rig.write(SUBMIT_INDEX, 4);
            rig.runIdle();

            assertEquals(List.of("status 0", "status 1", "status 2", "status 3", "MSI"), statusWrites);
            assertEquals(List.of(List.of(1, 1, 1, 1)), statusesAtDrainInterrupt, "the drain's interrupt finds every record written");
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(3)).code());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldCompleteDrainOnTheDeviceThreadOnlyAfterEveryEarlierDescriptor() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(64);
            byte[] src = new byte[0x4000];
            Arrays.fill(src, (byte) 0x6B);
            rig.cpu.write(DATA, src);
            rig.engine.startThread();
            int n = 32;
            for (int i = 0; i < n; i++) {
                rig.put(i, memmove(DATA, DATA + 0x10000L * (i + 1), src.length, recordAddress(i)));
            }
            rig.put(n, new Desc().op(Opcode.DRAIN.code(), RECORD_FLAGS).completion(recordAddress(n)));
            rig.tail = n + 1;
            rig.write(SUBMIT_INDEX, n + 1);
            rig.awaitRecord(recordAddress(n));
            // Read right after the drain's status byte (acquire): every earlier record and its data are there.
            for (int i = 0; i < n; i++) {
                assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(i)).code(), "descriptor " + i);
                assertArrayEquals(src, rig.bytes(DATA + 0x10000L * (i + 1), src.length), "data of " + i);
            }
            rig.engine.stopThread();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(n)).code());
        }
    }

    @Test
    void shouldRejectADrainInsideABatch() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            long list = DATA + 0x20_0000;
            long members = RECORDS + 0x1000;
            rig.cpu.write(list, new Desc().op(Opcode.DRAIN.code(), RECORD_FLAGS).completion(members).bytes);
            rig.cpu.write(list + 64, noop(members + 32).bytes);
            rig.submit(new Desc().op(Opcode.BATCH.code(), RECORD_FLAGS).src(list).size(2).completion(recordAddress(0)));
            rig.runIdle();
            assertEquals(CompletionStatus.BATCH_FAIL, rig.record(recordAddress(0)).code());
            assertEquals(CompletionStatus.BAD_OPCODE, rig.record(members).code());
            assertEquals(CompletionStatus.SUCCESS, rig.record(members + 32).code());
        }
    }
}
