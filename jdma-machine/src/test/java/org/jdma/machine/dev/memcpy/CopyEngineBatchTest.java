package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * BATCH (DSA opcode 1): one ring slot names a list of descriptors in memory; the members run in
 * list order and the batch completes once (checklist row 72, "SG transfer by engine").
 */
class CopyEngineBatchTest {

    private static final int RCI_FLAGS = RECORD_FLAGS | CopyDescriptorLayout.FLAG_RCI;
    /** Where the tests put descriptor lists (64-byte aligned). */
    private static final long LIST = DATA + 0x20_0000;
    /** Member records, after the ring slots' records. */
    private static final long MEMBER_RECORDS = RECORDS + 0x1000;

    private static Desc batch(long list, int count, long record) {
        return new Desc().op(Opcode.BATCH.code(), RECORD_FLAGS).src(list).size(count).completion(record);
    }

    private static long memberRecord(int i) {
        return MEMBER_RECORDS + (long) i * CompletionRecordLayout.SIZE;
    }

    private static void writeList(EngineRig rig, long list, Desc... members) {
        for (int i = 0; i < members.length; i++) {
            rig.cpu.write(list + (long) i * CopyDescriptorLayout.SIZE, members[i].bytes);
        }
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void shouldRunTheMembersInListOrderAndInterruptOnceForTheBatch() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            int[] handled = new int[1];
            rig.machine.interrupts().register(vector, v -> handled[0]++);
            rig.msix(0, rig.machine.interrupts().messageFor(vector));
            rig.enable(16);
            byte[] a = pattern(512, 3);
            rig.cpu.write(DATA, a);
            long b = DATA + 0x1000, c = DATA + 0x2000;
            // Member 1 reads what member 0 wrote, member 2 overwrites half of it: only list order gives this result.
            writeList(rig, LIST,
                    memmove(DATA, b, a.length, memberRecord(0)),
                    memmove(b, c, a.length, memberRecord(1)),
                    memfill(0x1111_1111_1111_1111L, c, 256, memberRecord(2)));
            rig.submit(batch(LIST, 3, recordAddress(0)).op(Opcode.BATCH.code(), RCI_FLAGS).handle(0));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, rec.code());
            assertEquals(3, rec.bytesCompleted(), "a batch reports descriptors completed");
            for (int i = 0; i < 3; i++) {
                assertEquals(CompletionStatus.SUCCESS, rig.record(memberRecord(i)).code(), "member " + i);
            }
            byte[] expected = a.clone();
            java.util.Arrays.fill(expected, 0, 256, (byte) 0x11);
            assertArrayEquals(expected, rig.bytes(c, a.length));
            assertEquals(1, handled[0], "one interrupt for the whole batch");
            assertEquals(1, rig.reg64(COMPLETED), "the batch is one ring descriptor");
            assertEquals(3, rig.engine.batchMembersCompleted());
        }
    }

    @Test
    void shouldWriteEveryMemberRecordBeforeTheBatchRecord() {
        try (EngineRig rig = new EngineRig()) {
            int vector = rig.machine.interrupts().allocateVector();
            List<Completion> seenAtInterrupt = new ArrayList<>();
            rig.machine.interrupts().register(vector, v -> {
                seenAtInterrupt.add(rig.record(memberRecord(0)));
                seenAtInterrupt.add(rig.record(memberRecord(1)));
                seenAtInterrupt.add(rig.record(recordAddress(0)));
            });
            rig.msix(0, rig.machine.interrupts().messageFor(vector));
            rig.enable(16);
            writeList(rig, LIST, noop(memberRecord(0)), noop(memberRecord(1)));
            rig.submit(batch(LIST, 2, recordAddress(0)).op(Opcode.BATCH.code(), RCI_FLAGS).handle(0));
            rig.runIdle();
            assertEquals(3, seenAtInterrupt.size(), "exactly one interrupt");
            seenAtInterrupt.forEach(r -> assertEquals(CompletionStatus.SUCCESS, r.code()));
        }
    }

    @Test
    void shouldReportBatchFailAndNameTheFailedMemberInItsOwnRecord() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.write(DATA, pattern(128, 9));
            writeList(rig, LIST,
                    memmove(DATA, DATA + 0x1000, 128, memberRecord(0)),
                    memmove(DATA, DATA + 0x2000, 0, memberRecord(1)), // size 0: XFER_ERANGE
                    memmove(DATA, DATA + 0x3000, 128, memberRecord(2)));
            rig.submit(batch(LIST, 3, recordAddress(0)));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.BATCH_FAIL, rec.code());
            assertEquals(3, rec.bytesCompleted(), "every member was processed");
            assertEquals(CompletionStatus.SUCCESS, rig.record(memberRecord(0)).code());
            assertEquals(CompletionStatus.XFER_ERANGE, rig.record(memberRecord(1)).code(), "the failed member");
            assertEquals(CompletionStatus.SUCCESS, rig.record(memberRecord(2)).code(), "later members still run");
            assertArrayEquals(pattern(128, 9), rig.bytes(DATA + 0x3000, 128));
            assertEquals(1L, rig.engine.errorsByStatus().get(CompletionStatus.BATCH_FAIL));
            assertEquals(1L, rig.engine.errorsByStatus().get(CompletionStatus.XFER_ERANGE));
        }
    }

    @Test
    void shouldCompleteAnUnreadableListWithABatchPageFaultAndKeepRunning() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            rig.cpu.write(DATA, pattern(64, 1));
            rig.submit(batch(HOLE, 4, recordAddress(0)));
            int next = rig.submit(memmove(DATA, DATA + 0x1000, 64, recordAddress(1)));
            rig.runIdle();

            Completion rec = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.BATCH_PAGE_FAULT, rec.code(), "idxd.h: DSA_COMP_BATCH_PAGE_FAULT");
            assertFalse(rec.writeFault(), "the list is read");
            assertEquals(HOLE, rec.faultAddress());
            assertEquals(0, rec.bytesCompleted(), "no member ran");
            assertEquals(0, rig.engine.batchMembersCompleted());
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(next)).code(), "the engine goes on");
            assertEquals(STATE_RUNNING, rig.state());
            assertEquals(0, rig.reg(ERROR));
        }
    }

    @Test
    void shouldRejectABatchInsideABatchAsABadOpcode() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            long inner = LIST + 0x1000;
            writeList(rig, inner, noop(memberRecord(4)), noop(memberRecord(5)));
            writeList(rig, LIST, batch(inner, 2, memberRecord(0)), noop(memberRecord(1)));
            rig.submit(batch(LIST, 2, recordAddress(0)));
            rig.runIdle();

            assertEquals(CompletionStatus.BATCH_FAIL, rig.record(recordAddress(0)).code());
            assertEquals(CompletionStatus.BAD_OPCODE, rig.record(memberRecord(0)).code());
            assertEquals(CompletionStatus.SUCCESS, rig.record(memberRecord(1)).code());
            assertEquals(0, rig.record(memberRecord(4)).status(), "the inner list never ran");
        }
    }

    @Test
    void shouldReadTheListAndTheFragmentsThroughTheRemappingUnit() {
        try (EngineRig rig = new EngineRig()) {
            VtdUnit unit = CopyEngineThroughVtdTest.translate(rig);
            // The list lives at DATA, which the device sees only at IOVA REMAPPED (read-only is enough for a list).
            byte[] src = pattern(256, 5);
            rig.cpu.write(DATA + 0x800, src);
            writeList(rig, DATA,
                    memmove(CopyEngineThroughVtdTest.REMAPPED + 0x800, DATA + 0x10000, 128, memberRecord(0)),
                    memmove(CopyEngineThroughVtdTest.REMAPPED + 0x880, DATA + 0x20000, 128, memberRecord(1)));
            long before = unit.translations();
            rig.enable(16);
            rig.submit(batch(CopyEngineThroughVtdTest.REMAPPED, 2, recordAddress(0)));
            rig.runIdle();

            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertArrayEquals(java.util.Arrays.copyOfRange(src, 0, 128), rig.bytes(DATA + 0x10000, 128));
            assertArrayEquals(java.util.Arrays.copyOfRange(src, 128, 256), rig.bytes(DATA + 0x20000, 128));
            assertTrue(unit.translations() - before >= 1 + 2 * 2 + 2 + 1,
                    "ring fetch, list, two fragments' source and destination, records: " + (unit.translations() - before));
            assertTrue(unit.pendingFaultRecords().isEmpty());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRunABatchOnTheDeviceThreadWithMemberRecordsBeforeTheBatchRecord() {
        try (EngineRig rig = new EngineRig()) {
            rig.enable(16);
            byte[] src = pattern(256, 11);
            rig.cpu.write(DATA, src);
            writeList(rig, LIST,
                    memmove(DATA, DATA + 0x1000, 128, memberRecord(0)),
                    memmove(DATA + 128, DATA + 0x1080, 128, memberRecord(1)));
            rig.engine.startThread();
            rig.submit(batch(LIST, 2, recordAddress(0)));
            // The batch record is published last: once it is seen, the members' records and data are too.
            rig.awaitRecord(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, rig.record(memberRecord(0)).code());
            assertEquals(CompletionStatus.SUCCESS, rig.record(memberRecord(1)).code());
            rig.engine.stopThread();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertArrayEquals(src, rig.bytes(DATA + 0x1000, 256));
            assertEquals(2, rig.engine.batchMembersCompleted());
        }
    }
}
