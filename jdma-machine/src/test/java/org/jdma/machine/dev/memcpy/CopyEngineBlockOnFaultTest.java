package org.jdma.machine.dev.memcpy;

import static org.jdma.machine.dev.memcpy.CopyEngineThroughVtdTest.REMAPPED;
import static org.jdma.machine.dev.memcpy.CopyEngineThroughVtdTest.REMAP_L1;
import static org.jdma.machine.dev.memcpy.EngineRig.*;
import static org.jdma.spec.memcpy.CopyEngineRegisters.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.jdma.spec.vtd.VtdPageEntryLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Page faults and resuming: with BOF clear the record says how far the copy got and where it
 * faulted, so software can finish it; with BOF set the engine posts a page request and waits for
 * software to map the page and answer (or for its fault-wait timeout), then goes on from the byte
 * that faulted.
 *
 * <p>Every test reads an 8 KiB source at IOVA {@code REMAPPED} whose first page is mapped (onto
 * DATA) and whose second page is not, until the test maps it onto DATA + 4 KiB.
 */
class CopyEngineBlockOnFaultTest {

    private static final int SIZE = 0x2000;
    private static final long SECOND_PAGE = REMAPPED + 0x1000;
    private static final long DST = DATA + 0x10_0000;
    private static final int BOF_FLAGS = RECORD_FLAGS | CopyDescriptorLayout.FLAG_BOF;

    private static byte[] source(EngineRig rig) {
        byte[] src = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            src[i] = (byte) (i * 7 + i / 251);
        }
        rig.cpu.write(DATA, src);
        return src;
    }

    /** Software resolves the fault: maps the second page of the source (read-only) onto DATA + 4 KiB. */
    private static void mapSecondPage(EngineRig rig) {
        rig.cpu.write64(REMAP_L1 + 8L * VtdPageEntryLayout.indexOf(SECOND_PAGE, 1),
                VtdPageEntryLayout.entry(DATA + 0x1000, true, false, false));
    }

    private static void runUntilFaultWait(EngineRig rig) {
        assertTrue(rig.machine.clock().runUntil(() -> (rig.reg(STATUS) & STATUS_FAULT_WAIT) != 0, 1_000_000),
                "the engine blocks on the fault");
    }

    @Test
    void shouldReportANoBofFaultSoThatResumingWithTheRemainingBytesCompletesTheCopyExactly() {
        try (EngineRig rig = new EngineRig()) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            byte[] src = source(rig);
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)));
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, c.code());
            assertFalse(c.writeFault(), "R/W: the read faulted");
            assertEquals(SECOND_PAGE, c.faultAddress());
            assertEquals(0x1000, c.bytesCompleted());
            assertEquals(0, rig.engine.pageRequests(), "BOF clear: no page request");

            mapSecondPage(rig);
            long done = c.bytesCompleted();
            rig.submit(memmove(REMAPPED + done, DST + done, SIZE - done, recordAddress(1)));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code());
            assertArrayEquals(src, rig.bytes(DST, SIZE), "every byte, once");
            assertEquals(0, rig.bytes(DST + SIZE, 1)[0], "nothing past the end");
        }
    }

    @Test
    void shouldWaitOnABofFaultUntilSoftwareMapsThePageThenCompleteEveryByte() {
        try (EngineRig rig = new EngineRig()) {
            CopyEngineThroughVtdTest.translate(rig);
            int vector = rig.machine.interrupts().allocateVector();
            long[] pageReqSeen = {-1};
            rig.machine.interrupts().register(vector, v -> pageReqSeen[0] = rig.reg(PAGE_REQ));
            rig.msix(1, rig.machine.interrupts().messageFor(vector));
            rig.write(ERR_INT_HANDLE, 1);
            rig.write64(RING_BASE, RING);
            rig.write(RING_SIZE, 16);
            rig.write(CONTROL, CONTROL_ENABLE | CONTROL_ERR_INT_EN);
            rig.ringSize = 16;
            byte[] src = source(rig);
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)).op(Opcode.MEMMOVE.code(), BOF_FLAGS));
            runUntilFaultWait(rig);

            assertEquals(PAGE_REQ_PENDING, rig.reg(PAGE_REQ), "a read is waiting");
            assertEquals(SECOND_PAGE, rig.reg64(PAGE_REQ_ADDRESS));
            assertEquals(ERROR_PAGE_REQUEST, rig.reg(ERROR));
            assertEquals(PAGE_REQ_PENDING, pageReqSeen[0], "the error interrupt told software");
            assertEquals(0, rig.record(recordAddress(0)).status(), "no completion yet");
            assertEquals(STATE_RUNNING | STATUS_FAULT_WAIT, rig.reg(STATUS), "busy, waiting, not idle");

            mapSecondPage(rig);
            rig.write(PAGE_RESPONSE, PAGE_RESPONSE_SUCCESS);
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.SUCCESS, c.code());
            assertEquals(SIZE, c.bytesCompleted());
            assertArrayEquals(src, rig.bytes(DST, SIZE));
            assertEquals(0, rig.reg(PAGE_REQ));
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
            assertEquals(1, rig.engine.pageRequests());
        }
    }

    @Test
    void shouldEndABlockedDescriptorWithPageFaultIrOnAnInvalidResponseAndGoOn() {
        try (EngineRig rig = new EngineRig()) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            source(rig);
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)).op(Opcode.MEMMOVE.code(), BOF_FLAGS));
            int next = rig.submit(noop(recordAddress(1)));
            runUntilFaultWait(rig);
            rig.write(PAGE_RESPONSE, PAGE_RESPONSE_INVALID_REQUEST);
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_IR, c.code());
            assertEquals(0x1000, c.bytesCompleted(), "how far it got, to resume from");
            assertEquals(SECOND_PAGE, c.faultAddress());
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(next)).code());
        }
    }

    @Test
    void shouldGiveUpWaitingAfterTheFaultWaitTimeoutWhenNobodyAnswers() {
        long timeout = 50_000;
        try (EngineRig rig = new EngineRig(EngineRig.config(CopyEngineConfig.DEFAULT.withFaultWaitTimeoutNs(timeout)))) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            source(rig);
            long submittedAt = rig.machine.clock().now();
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)).op(Opcode.MEMMOVE.code(), BOF_FLAGS));
            runUntilFaultWait(rig);
            rig.runIdle();
            Completion c = rig.record(recordAddress(0));
            assertEquals(CompletionStatus.PAGE_FAULT_IR, c.code(), "no response counts as a response failure");
            assertEquals(0x1000, c.bytesCompleted());
            assertTrue(rig.machine.clock().now() - submittedAt >= timeout, "it waited the timeout");
            assertEquals(STATE_RUNNING | STATUS_IDLE, rig.reg(STATUS));
            rig.write(PAGE_RESPONSE, PAGE_RESPONSE_SUCCESS); // late: nothing waits, ignored
            rig.runIdle();
            assertEquals(CompletionStatus.PAGE_FAULT_IR, rig.record(recordAddress(0)).code());
        }
    }

    @Test
    void shouldFaultAgainOnTheNextUnmappedPageAfterASuccessResponse() {
        try (EngineRig rig = new EngineRig()) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            source(rig);
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)).op(Opcode.MEMMOVE.code(), BOF_FLAGS));
            runUntilFaultWait(rig);
            rig.write(PAGE_RESPONSE, PAGE_RESPONSE_SUCCESS); // answered without mapping anything
            assertTrue(rig.machine.clock().runUntil(() -> rig.engine.pageRequests() == 2, 1_000_000), "a second request");
            assertEquals(SECOND_PAGE, rig.reg64(PAGE_REQ_ADDRESS));
            mapSecondPage(rig);
            rig.write(PAGE_RESPONSE, PAGE_RESPONSE_SUCCESS);
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
        }
    }

    @Test
    void shouldForgetABlockedDescriptorOnReset() {
        try (EngineRig rig = new EngineRig()) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            source(rig);
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)).op(Opcode.MEMMOVE.code(), BOF_FLAGS));
            runUntilFaultWait(rig);
            rig.write(CONTROL, CONTROL_RESET);
            rig.runIdle();
            assertEquals(0, rig.reg(PAGE_REQ));
            assertEquals(0, rig.reg64(PAGE_REQ_ADDRESS));
            assertEquals(STATE_DISABLED | STATUS_IDLE, rig.reg(STATUS));
            assertEquals(0, rig.record(recordAddress(0)).status(), "an abandoned descriptor writes no record");
            rig.enable(16);
            rig.submit(noop(recordAddress(1)));
            rig.runIdle();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(1)).code());
        }
    }

    @Test
    void shouldRunABatchMembersFaultAsNoBofWhateverItsFlag() {
        try (EngineRig rig = new EngineRig()) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            source(rig);
            long list = DATA + 0x20_0000;
            long member = RECORDS + 0x1000;
            rig.cpu.write(list, memmove(REMAPPED, DST, SIZE, member).op(Opcode.MEMMOVE.code(), BOF_FLAGS).bytes);
            rig.cpu.write(list + 64, noop(member + 32).bytes);
            rig.submit(new Desc().op(Opcode.BATCH.code(), RECORD_FLAGS).src(list).size(2).completion(recordAddress(0)));
            rig.runIdle();
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, rig.record(member).code());
            assertEquals(0, rig.engine.pageRequests());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldBlockOnFaultOnTheDeviceThreadUntilSoftwareAnswers() {
        try (EngineRig rig = new EngineRig(EngineRig.config(CopyEngineConfig.DEFAULT.withFaultWaitTimeoutNs(30_000_000_000L)))) {
            CopyEngineThroughVtdTest.translate(rig);
            rig.enable(16);
            byte[] src = source(rig);
            rig.engine.startThread();
            rig.submit(memmove(REMAPPED, DST, SIZE, recordAddress(0)).op(Opcode.MEMMOVE.code(), BOF_FLAGS));
            spinUntil(() -> (rig.reg(PAGE_REQ) & PAGE_REQ_PENDING) != 0, () -> "the page request");
            assertEquals(SECOND_PAGE, rig.reg64(PAGE_REQ_ADDRESS));
            assertEquals(0, rig.record(recordAddress(0)).status());
            mapSecondPage(rig);
            rig.write(PAGE_RESPONSE, PAGE_RESPONSE_SUCCESS);
            rig.awaitRecord(recordAddress(0));
            rig.engine.stopThread();
            assertEquals(CompletionStatus.SUCCESS, rig.record(recordAddress(0)).code());
            assertArrayEquals(src, rig.bytes(DST, SIZE));
        }
    }
}
