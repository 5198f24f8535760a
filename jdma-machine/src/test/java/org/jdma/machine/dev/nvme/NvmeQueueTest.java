package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.machine.dev.nvme.NvmeRig.sqe;
import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.NvmeRegisters;
import org.junit.jupiter.api.Test;

/** Queue mechanics: phase tags across wraps, SQ head in completions, the doorbell stride, a full CQ, vectors and coalescing. */
class NvmeQueueTest {

    @Test
    void shouldInvertThePhaseTagAtEachWrapAndReportTheSqHead() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 4, 1);
            List<Integer> phases = new ArrayList<>();
            List<Integer> heads = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                rig.submit(p, sqe(NVM_FLUSH).nsid(1));
                NvmeRig.Cqe c = rig.await(p);
                assertEquals(SUCCESS, c.status());
                assertEquals(1, c.sqid());
                phases.add(c.phase());
                heads.add(c.sqhd());
            }
            assertEquals(List.of(1, 1, 1, 1, 0, 0, 0, 0, 1, 1), phases, "4 entries: phase 1, then 0 after the first wrap");
            assertEquals(List.of(1, 2, 3, 0, 1, 2, 3, 0, 1, 2), heads, "the head after each fetch, wrapping at 4");
        }
    }

    @Test
    void shouldFindDoorbellsAtTheStrideCapDstrdGives() {
        try (NvmeRig rig = new NvmeRig(NvmeConfig.DEFAULT.withDoorbellStride(3)).busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 8, 1);
            assertEquals(0x1000 + 2 * 32, NvmeRegisters.sqTailDoorbell(1, 3));
            rig.submit(p, sqe(NVM_FLUSH).nsid(1));
            assertEquals(SUCCESS, rig.await(p).status());
            rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            rig.write(NvmeRegisters.sqTailDoorbell(1, 0), 2); // where stride 0 would have SQ 1: off this stride
            NvmeRig.Cqe e = rig.await(rig.admin);
            assertEquals(asyncEvent(AER_TYPE_ERROR, AER_ERROR_INVALID_DOORBELL, LOG_ERROR_INFORMATION), e.dw0());
            rig.runIdle();
            assertNull(rig.peek(p), "the stray doorbell fetched nothing");
        }
    }

    @Test
    void shouldHoldCompletionsWhileTheCompletionQueueIsFullUntilTheHeadDoorbell() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 4, 1);
            int cq = 4 * (int) NvmeRig.MiB;
            for (int i = 0; i < 3; i++) {
                rig.queue(p, sqe(NVM_FLUSH).nsid(1));
            }
            rig.ring(p);
            rig.runIdle();
            // a 4-entry CQ holds 3 entries: full now; post three more commands
            for (int i = 0; i < 3; i++) {
                rig.queue(p, sqe(NVM_FLUSH).nsid(1));
            }
            long posted = rig.nvme.completionsPosted();
            rig.ring(p);
            rig.runIdle();
            assertEquals(posted, rig.nvme.completionsPosted(), "nothing posted into a full queue");
            int slot3 = rig.cpu.read16(cq + 3L * CompletionEntryLayout.SIZE + CompletionEntryLayout.STATUS) & 0xFFFF;
            assertEquals(0, slot3, "nothing written into the slot that would make the queue overflow");
            List<Integer> cids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                cids.add(rig.await(p).cid());
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5), cids, "every completion, in order, none lost");
        }
    }

    @Test
    void shouldRefuseASecondOutstandingCommandWithTheSameCid() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            rig.queue(p, rw(NVM_READ, 0, 8, DATA, 0).cid(9));
            rig.queue(p, rw(NVM_READ, 8, 8, DATA + 4096, 0).cid(9));
            rig.ring(p);
            NvmeRig.Cqe first = rig.await(p);
            assertEquals(CID_CONFLICT, first.status(), "the duplicate fails at once");
            assertEquals(SUCCESS, rig.await(p).status(), "the first completes from the media");
        }
    }

    @Test
    void shouldSignalEachCompletionQueuesOwnVector() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(3).enable()) {
            long admin = rig.interruptsOf(0);
            NvmeRig.Pair a = rig.createPair(1, 16, 1);
            NvmeRig.Pair b = rig.createPair(2, 16, 2);
            rig.runIdle(); // interrupts arrive an interrupt latency after their completion
            assertEquals(admin + 4, rig.interruptsOf(0), "one per admin completion, on entry 0");
            rig.submit(a, sqe(NVM_FLUSH).nsid(1));
            rig.await(a);
            rig.submit(b, sqe(NVM_FLUSH).nsid(1));
            rig.submit(b, sqe(NVM_FLUSH).nsid(1));
            rig.await(b);
            rig.await(b);
            rig.runIdle();
            assertEquals(1, rig.interruptsOf(1));
            assertEquals(2, rig.interruptsOf(2));
        }
    }

    @Test
    void shouldCoalesceInterruptsByThresholdAndTime() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 64, 1);
            // THR 3 (four completions) or 2 x 100 us
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_INTERRUPT_COALESCING)
                    .cdw(11, interruptCoalescing(3, 2))).status());
            for (int i = 0; i < 9; i++) {
                rig.queue(p, rw(NVM_READ, 8L * i, 8, DATA + 4096L * i, 0));
            }
            rig.ring(p);
            rig.runIdle();
            assertEquals(3, rig.interruptsOf(1), "two after four completions each, one for the last after the time");
            long last = rig.interrupts.getLast().timeNs();
            assertNotNull(rig.peek(p));
            // coalescing disabled for vector 1: every completion interrupts
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_INTERRUPT_VECTOR_CONFIG)
                    .cdw(11, 1 | IVC_CD)).status());
            for (int i = 0; i < 9; i++) {
                rig.await(p);
            }
            for (int i = 0; i < 2; i++) {
                rig.submit(p, sqe(NVM_FLUSH).nsid(1));
                rig.await(p);
            }
            rig.runIdle();
            assertEquals(5, rig.interruptsOf(1));
            assertEquals(true, last > 0);
        }
    }
}
