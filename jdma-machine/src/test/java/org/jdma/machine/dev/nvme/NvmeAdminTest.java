package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.sqe;
import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdma.spec.nvme.ActiveNamespaceListLayout;
import org.jdma.spec.nvme.IdentifyControllerLayout;
import org.jdma.spec.nvme.IdentifyNamespaceLayout;
import org.jdma.spec.nvme.NvmeRegisters;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.junit.jupiter.api.Test;

/** The admin command set: Identify data at its offsets and every command's error paths with the spec's status. */
class NvmeAdminTest {

    static final NvmeConfig TWO_NAMESPACES = NvmeConfig.DEFAULT.withIoQueuePairs(4)
            .withNamespaces(NamespaceSpec.memory(512, 2048), NamespaceSpec.memory(4096, 100));

    static NvmeRig rig() {
        return new NvmeRig(TWO_NAMESPACES).busMaster().msix(5).enable();
    }

    static Sqe createCq(int qid, int entries, long base, int cdw11) {
        return sqe(ADMIN_CREATE_CQ).prp1(base).cdw(10, createQueueCdw10(qid, entries)).cdw(11, cdw11);
    }

    static Sqe createSq(int qid, int entries, long base, int cqid) {
        return sqe(ADMIN_CREATE_SQ).prp1(base).cdw(10, createQueueCdw10(qid, entries)).cdw(11, createSqCdw11(cqid));
    }

    @Test
    void shouldReturnIdentifyControllerFieldsAtTheirOffsets() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Cqe c = rig.admin(sqe(ADMIN_IDENTIFY).prp1(DATA).cdw(10, CNS_CONTROLLER));
            assertEquals(SUCCESS, c.status(), c.toString());
            assertEquals(0, c.sqid());
            assertEquals(1, c.sqhd(), "the SQ head after fetching the one entry");
            assertEquals(NvmeRegisters.VENDOR_ID, rig.cpu.read16(DATA + IdentifyControllerLayout.VID) & 0xFFFF);
            byte[] sn = new byte[IdentifyControllerLayout.SN_LENGTH];
            rig.cpu.read(DATA + IdentifyControllerLayout.SN, sn);
            assertEquals("JDMA0001            ", new String(sn, StandardCharsets.US_ASCII));
            assertEquals(5, rig.cpu.read8(DATA + IdentifyControllerLayout.MDTS));
            assertEquals(0x66, rig.cpu.read8(DATA + IdentifyControllerLayout.SQES) & 0xFF);
            assertEquals(0x44, rig.cpu.read8(DATA + IdentifyControllerLayout.CQES) & 0xFF);
            assertEquals(2, rig.cpu.read32(DATA + IdentifyControllerLayout.NN));
            assertEquals(NvmeRegisters.VS_1_4, rig.cpu.read32(DATA + IdentifyControllerLayout.VER));
            int sgls = rig.cpu.read32(DATA + IdentifyControllerLayout.SGLS);
            assertEquals(IdentifyControllerLayout.SGLS_SUPPORTED | IdentifyControllerLayout.SGLS_BIT_BUCKET, sgls);
            assertEquals(IdentifyControllerLayout.ONCS_DSM | IdentifyControllerLayout.ONCS_WRITE_ZEROES,
                    rig.cpu.read16(DATA + IdentifyControllerLayout.ONCS));
        }
    }

    @Test
    void shouldReturnIdentifyNamespaceWithItsSizeAndBlockFormat() {
        try (NvmeRig rig = rig()) {
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_IDENTIFY).nsid(2).prp1(DATA).cdw(10, CNS_NAMESPACE)).status());
            assertEquals(100, rig.cpu.read64(DATA + IdentifyNamespaceLayout.NSZE));
            assertEquals(100, rig.cpu.read64(DATA + IdentifyNamespaceLayout.NCAP));
            assertEquals(0, rig.cpu.read8(DATA + IdentifyNamespaceLayout.FLBAS));
            assertEquals(12, IdentifyNamespaceLayout.lbads(rig.cpu.read32(DATA + IdentifyNamespaceLayout.lbaf(0))));
            assertEquals(INVALID_NAMESPACE, rig.admin(sqe(ADMIN_IDENTIFY).nsid(3).prp1(DATA).cdw(10, CNS_NAMESPACE)).status());
            NvmeRig.Cqe c = rig.admin(sqe(ADMIN_IDENTIFY).nsid(0).prp1(DATA).cdw(10, CNS_NAMESPACE));
            assertEquals(INVALID_NAMESPACE, c.status());
            assertTrue(c.dnr(), "errors carry Do Not Retry");
        }
    }

    @Test
    void shouldListActiveNamespacesAboveTheGivenId() {
        try (NvmeRig rig = rig()) {
            rig.cpu.fill(DATA, 4096, (byte) 0xEE);
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_IDENTIFY).nsid(0).prp1(DATA).cdw(10, CNS_ACTIVE_NAMESPACES)).status());
            assertEquals(List.of(1, 2, 0), List.of(rig.cpu.read32(DATA), rig.cpu.read32(DATA + 4), rig.cpu.read32(DATA + 8)));
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_IDENTIFY).nsid(1).prp1(DATA).cdw(10, CNS_ACTIVE_NAMESPACES)).status());
            assertEquals(2, rig.cpu.read32(DATA + ActiveNamespaceListLayout.entry(0)));
            assertEquals(0, rig.cpu.read32(DATA + ActiveNamespaceListLayout.entry(1)));
            assertEquals(INVALID_FIELD, rig.admin(sqe(ADMIN_IDENTIFY).prp1(DATA).cdw(10, 0x55)).status(), "unknown CNS");
        }
    }

    @Test
    void shouldRefuseBadCreateCompletionQueueCommandsWithTheirStatus() {
        try (NvmeRig rig = rig()) {
            long base = 4 * NvmeRig.MiB;
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(createCq(0, 16, base, createCqCdw11(1, true))).status());
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(createCq(5, 16, base, createCqCdw11(1, true))).status(),
                    "above the 4 pairs the controller has");
            assertEquals(INVALID_QUEUE_SIZE, rig.admin(createCq(1, 1, base, createCqCdw11(1, true))).status());
            assertEquals(INVALID_QUEUE_SIZE, rig.admin(createCq(1, 1025, base, createCqCdw11(1, true))).status(), "above MQES");
            assertEquals(PRP_OFFSET_INVALID, rig.admin(createCq(1, 16, base + 0x80, createCqCdw11(1, true))).status());
            assertEquals(INVALID_INTERRUPT_VECTOR, rig.admin(createCq(1, 16, base, createCqCdw11(5, true))).status());
            assertEquals(INVALID_FIELD, rig.admin(createCq(1, 16, base, IEN | 1 << IV_SHIFT)).status(), "PC = 0");
            assertEquals(SUCCESS, rig.admin(createCq(1, 16, base, createCqCdw11(1, true))).status());
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(createCq(1, 16, base, createCqCdw11(1, true))).status(), "in use");
        }
    }

    @Test
    void shouldRefuseBadCreateSubmissionQueueCommandsWithTheirStatus() {
        try (NvmeRig rig = rig()) {
            long cqBase = 4 * NvmeRig.MiB;
            long sqBase = 2 * NvmeRig.MiB;
            assertEquals(COMPLETION_QUEUE_INVALID, rig.admin(createSq(1, 16, sqBase, 1)).status(), "no CQ 1 yet");
            assertEquals(COMPLETION_QUEUE_INVALID, rig.admin(createSq(1, 16, sqBase, 0)).status(), "the admin CQ");
            assertEquals(SUCCESS, rig.admin(createCq(1, 16, cqBase, createCqCdw11(1, true))).status());
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(createSq(0, 16, sqBase, 1)).status());
            assertEquals(INVALID_QUEUE_SIZE, rig.admin(createSq(1, 1, sqBase, 1)).status());
            assertEquals(PRP_OFFSET_INVALID, rig.admin(createSq(1, 16, sqBase + 8, 1)).status());
            assertEquals(SUCCESS, rig.admin(createSq(1, 16, sqBase, 1)).status());
            assertEquals(SUCCESS, rig.admin(createSq(2, 16, sqBase + 0x10000, 1)).status(), "two SQs share CQ 1");
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(createSq(2, 16, sqBase, 1)).status(), "in use");
        }
    }

    @Test
    void shouldRefuseDeletingACompletionQueueWhileSubmissionQueuesPostToIt() {
        try (NvmeRig rig = rig()) {
            rig.createPair(1, 16, 1);
            assertEquals(INVALID_QUEUE_DELETION, rig.admin(sqe(ADMIN_DELETE_CQ).cdw(10, 1)).status());
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(sqe(ADMIN_DELETE_SQ).cdw(10, 0)).status(), "the admin SQ");
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(sqe(ADMIN_DELETE_SQ).cdw(10, 3)).status(), "never created");
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_DELETE_SQ).cdw(10, 1)).status());
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_DELETE_CQ).cdw(10, 1)).status());
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(sqe(ADMIN_DELETE_CQ).cdw(10, 1)).status(), "gone");
            rig.createPair(1, 16, 1);
        }
    }

    @Test
    void shouldAbortTheCommandsOfADeletedSubmissionQueueByAscendingCid() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            int[] cids = {9, 3, 0x8001, 5};
            for (int i = 0; i < cids.length; i++) {
                rig.queue(p, NvmeRig.rw(NVM_READ, 8L * i, 8, DATA + 4096L * i, 0).cid(cids[i]));
            }
            rig.ring(p);
            rig.runFor(NvmeConfig.DEFAULT.fetchNs()); // fetched, in the media
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_DELETE_SQ).cdw(10, 1)).status());
            for (int cid : new int[] {3, 5, 9, 0x8001}) {
                NvmeRig.Cqe c = rig.await(p);
                assertEquals(cid, c.cid());
                assertEquals(ABORTED_SQ_DELETED, c.status());
            }
        }
    }

    @Test
    void shouldCompleteCommandsOfADeletedSubmissionQueueAsAbortedBySqDeletion() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            int cid = rig.submit(p, NvmeRig.rw(NVM_READ, 0, 8, DATA, 0));
            rig.runFor(NvmeConfig.DEFAULT.fetchNs()); // fetched, in the media
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_DELETE_SQ).cdw(10, 1)).status());
            NvmeRig.Cqe c = rig.await(p);
            assertEquals(cid, c.cid());
            assertEquals(ABORTED_SQ_DELETED, c.status());
        }
    }

    @Test
    void shouldGrantQueuesOnceAndRefuseTheRequestAfterQueuesExist() {
        try (NvmeRig rig = rig()) {
            assertEquals(INVALID_FIELD, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_NUMBER_OF_QUEUES).cdw(11, 0xFFFF)).status());
            NvmeRig.Cqe c = rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_NUMBER_OF_QUEUES).cdw(11, numberOfQueues(64, 64)));
            assertEquals(SUCCESS, c.status());
            assertEquals(numberOfQueues(4, 4), c.dw0(), "granted what the controller has");
            c = rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_NUMBER_OF_QUEUES).cdw(11, numberOfQueues(2, 2)));
            assertEquals(numberOfQueues(2, 2), c.dw0());
            assertEquals(numberOfQueues(2, 2), rig.admin(sqe(ADMIN_GET_FEATURES).cdw(10, FID_NUMBER_OF_QUEUES)).dw0());
            assertEquals(INVALID_QUEUE_IDENTIFIER, rig.admin(createCq(3, 16, 4 * NvmeRig.MiB, createCqCdw11(3, true))).status(),
                    "beyond the grant");
            rig.createPair(1, 16, 1);
            assertEquals(COMMAND_SEQUENCE_ERROR,
                    rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_NUMBER_OF_QUEUES).cdw(11, numberOfQueues(2, 2))).status());
        }
    }

    @Test
    void shouldKeepCoalescingSettingsAndRefuseUnknownFeatures() {
        try (NvmeRig rig = rig()) {
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_INTERRUPT_COALESCING)
                    .cdw(11, interruptCoalescing(7, 2))).status());
            assertEquals(interruptCoalescing(7, 2), rig.admin(sqe(ADMIN_GET_FEATURES).cdw(10, FID_INTERRUPT_COALESCING)).dw0());
            assertEquals(INVALID_FIELD, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, 0x7F)).status());
            assertEquals(INVALID_FIELD, rig.admin(sqe(ADMIN_GET_FEATURES).cdw(10, 0x7F)).status());
            assertEquals(INVALID_FIELD, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_INTERRUPT_VECTOR_CONFIG).cdw(11, 9)).status(),
                    "vector beyond MSI-X");
        }
    }

    @Test
    void shouldRefuseUnknownOpcodesAndSglsOnTheAdminQueue() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Cqe c = rig.admin(sqe(0x7E));
            assertEquals(INVALID_OPCODE, c.status());
            assertTrue(c.dnr());
            assertEquals(INVALID_FIELD, rig.admin(sqe(ADMIN_IDENTIFY).cdw(10, CNS_CONTROLLER)
                    .sgl(DATA, 4096, 0)).status());
            assertEquals(SubmissionEntryLayout.PSDT_SGL_MPTR_CONTIGUOUS, 1);
        }
    }

    @Test
    void shouldAnswerAbortOfAnUnknownCommandWithNotAborted() {
        try (NvmeRig rig = rig()) {
            rig.createPair(1, 16, 1);
            NvmeRig.Cqe c = rig.admin(sqe(ADMIN_ABORT).cdw(10, abortCdw10(1, 77)));
            assertEquals(SUCCESS, c.status());
            assertEquals(ABORT_NOT_ABORTED, c.dw0() & 1);
        }
    }

    @Test
    void shouldAbortACommandInTheMediaAndNeverCompleteItTwice() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            int cid = rig.submit(p, NvmeRig.rw(NVM_READ, 0, 8, DATA, 0));
            rig.runFor(NvmeConfig.DEFAULT.fetchNs());
            NvmeRig.Cqe a = rig.admin(sqe(ADMIN_ABORT).cdw(10, abortCdw10(1, cid)));
            assertEquals(SUCCESS, a.status());
            assertEquals(0, a.dw0() & 1, "aborted");
            NvmeRig.Cqe c = rig.await(p);
            assertEquals(ABORTED_BY_REQUEST, c.status());
            rig.runIdle();
            assertEquals(null, rig.peek(p), "the media's completion does not come later");
        }
    }

    /**
     * An aborted command's media event still comes, later: it must neither move the aborted
     * command's data nor touch the commands fetched after it (the controller reuses I/O commands),
     * not even one with the same CID. Here a Flush takes the aborted read's CID: it completes by
     * its own media time (every channel idle, then the flush time), not the read's.
     */
    @Test
    void shouldKeepAnAbortedCommandsLateMediaEventAwayFromTheCommandsAfterIt() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            long written = DATA + 0x10000;
            long later = DATA + 0x20000;
            rig.cpu.fill(written, 4096, (byte) 0x5A);
            rig.submit(p, NvmeRig.rw(NVM_WRITE, 0, 8, written, 0));
            assertEquals(SUCCESS, rig.await(p).status());
            rig.cpu.fill(DATA, 4096, (byte) 0xAA);
            rig.cpu.fill(later, 2 * 4096, (byte) 0xAA);
            int cid = rig.submit(p, NvmeRig.rw(NVM_READ, 0, 8, DATA, 0));
            rig.runFor(NvmeConfig.DEFAULT.fetchNs());
            assertEquals(0, rig.admin(sqe(ADMIN_ABORT).cdw(10, abortCdw10(1, cid))).dw0() & 1, "aborted");
            assertEquals(ABORTED_BY_REQUEST, rig.await(p).status());
            rig.queue(p, sqe(NVM_FLUSH).nsid(1).cid(cid));
            rig.queue(p, NvmeRig.rw(NVM_READ, 0, 8, later, 0));
            rig.queue(p, NvmeRig.rw(NVM_READ, 0, 8, later + 4096, 0));
            rig.ring(p);
            long rung = rig.now();
            Map<Integer, Long> completedAt = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                NvmeRig.Cqe c = rig.await(p);
                assertEquals(SUCCESS, c.status(), "CID " + c.cid());
                assertEquals(null, completedAt.put(c.cid(), rig.now()), "CID " + c.cid() + " completed twice");
            }
            rig.runIdle();
            assertEquals(null, rig.peek(p), "one completion each");
            long flushAt = completedAt.get(cid);
            assertTrue(flushAt >= rung + NvmeConfig.DEFAULT.fetchNs() + MediaTiming.DEFAULT.flushNs(),
                    "the Flush completed by its own media time, at " + flushAt);
            for (int at = 0; at < 4096; at += 512) {
                assertEquals(0xAA, rig.cpu.read8(DATA + at), "the aborted read moved no data, byte " + at);
                assertEquals(0x5A, rig.cpu.read8(later + at), "read 1, byte " + at);
                assertEquals(0x5A, rig.cpu.read8(later + 4096 + at), "read 2, byte " + at);
            }
        }
    }

    @Test
    void shouldHoldAsyncEventRequestsUntilAnErrorAndRefuseMoreThanTheLimit() {
        try (NvmeRig rig = rig()) {
            for (int i = 0; i <= 3; i++) { // AERL = 3: four outstanding
                rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            }
            rig.runIdle();
            assertEquals(null, rig.peek(rig.admin), "held until an event");
            NvmeRig.Cqe over = rig.admin(sqe(ADMIN_ASYNC_EVENT_REQUEST));
            assertEquals(ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED, over.status());
            rig.write(NvmeRegisters.sqTailDoorbell(3, 0), 1); // no SQ 3
            NvmeRig.Cqe e = rig.await(rig.admin);
            assertEquals(SUCCESS, e.status());
            assertEquals(asyncEvent(AER_TYPE_ERROR, AER_ERROR_INVALID_DOORBELL, LOG_ERROR_INFORMATION), e.dw0());
            rig.write(NvmeRegisters.sqTailDoorbell(0, 0), NvmeRig.ADMIN_ENTRIES + 3); // beyond the admin SQ
            rig.runIdle();
            assertEquals(null, rig.peek(rig.admin), "error events masked until the error log is read");
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_GET_LOG_PAGE).prp1(DATA).cdw(10, getLogCdw10(LOG_ERROR_INFORMATION, false, 16))).status());
            e = rig.await(rig.admin);
            assertEquals(asyncEvent(AER_TYPE_ERROR, AER_ERROR_INVALID_DOORBELL_VALUE, LOG_ERROR_INFORMATION), e.dw0());
            assertEquals(2, rig.nvme.invalidDoorbells());
        }
    }
}
