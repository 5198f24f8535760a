package org.jdma.kernel.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same protocol serves the two other ring shapes the next drivers need, each with its own
 * format, played here by small software devices: an 82599 TX ring (descriptors written back in
 * place with a DD bit, tail doorbell) and an NVMe submission/completion queue pair (tail doorbell;
 * completion entries with a phase tag, SQ head and a head doorbell).
 */
class RingFormatsTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory dmaMemory = TestMachines.dmaMemory(machine);

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private RingMemory memory(long bytes) {
        DmaBuffer b = dmaMemory.allocate(bytes, 4096);
        return new RingMemory(machine.cpu(), b.physicalAddress(), b.physicalAddress(), bytes);
    }

    // ---- 82599 advanced TX descriptor: 16 bytes; buffer address at 0, length at 8, STA at 12 (bit 0 DD) ----

    private static final int TX_DESC = 16;
    private static final int TX_STA = 12;
    private static final int TX_DD = 0x01;

    /** Consumes descriptors from TDH up to TDT and writes DD back into each (RS on every descriptor). */
    private static final class SoftwareTxQueue {
        final RingMemory memory;
        final int slots;
        int tdh;
        int tdt;
        final List<Long> sent = new ArrayList<>();

        SoftwareTxQueue(RingMemory memory, int slots) {
            this.memory = memory;
            this.slots = slots;
        }

        void transmit() {
            while (tdh != tdt) {
                sent.add(memory.read64((long) tdh * TX_DESC));
                memory.write8((long) tdh * TX_DESC + TX_STA, TX_DD);
                tdh = (tdh + 1) & (slots - 1);
            }
        }
    }

    @Test
    void shouldDriveATxRingWhoseDescriptorsComeBackWithTheDdBit() {
        int slots = 8;
        RingMemory mem = memory((long) slots * TX_DESC);
        SoftwareTxQueue nic = new SoftwareTxQueue(mem, slots);
        SubmissionRing tx = new SubmissionRing(mem, slots, tdt -> nic.tdt = tdt);
        SubmissionRing.SlotWriter<Long> desc = (m, slot, seq, buffer) -> {
            m.write64((long) slot * TX_DESC, buffer);
            m.write32((long) slot * TX_DESC + 8, 60); // length; STA (bytes 12..15) written 0: DD clear
            m.write32((long) slot * TX_DESC + TX_STA, 0);
        };
        CompletionTest dd = CompletionTest.doneBit(TX_DESC, TX_STA, TX_DD);
        List<Long> cleaned = new ArrayList<>();
        long buffer = 0x10_0000;
        for (int round = 0; round < 20; round++) {
            List<Long> batch = List.of(buffer, buffer + 2048, buffer + 4096);
            assertEquals(3, tx.submit(batch, 0, 3, desc));
            buffer += 3 * 2048;
            assertEquals(0, tx.reap(dd, (m, slot, seq) -> { }, 8), "nothing sent before the NIC ran");
            nic.transmit();
            tx.reap(dd, (m, slot, seq) -> cleaned.add(m.read64((long) slot * TX_DESC)), 8);
        }
        assertEquals(60, cleaned.size());
        assertEquals(nic.sent, cleaned, "cleaned in the order sent, over seven laps of an 8-slot ring");
    }

    // ---- NVMe: SQ entries 64 bytes (CID at 2); CQ entries 16 bytes (SQHD at 8, CID at 12, status/phase at 14, P = bit 0) ----

    private static final int SQE = 64;
    private static final int SQE_CID = 2;
    private static final int CQE = 16;
    private static final int CQE_SQHD = 8;
    private static final int CQE_CID = 12;
    private static final int CQE_STATUS = 14;
    private static final int CQE_PHASE = 0x01;

    /** A controller with one I/O queue pair: completes every fetched command, never posts into a full CQ. */
    private static final class SoftwareController {
        final RingMemory sq;
        final RingMemory cq;
        final int sqSize;
        final int cqSize;
        int sqHead;
        int sqTail;
        int cqTail;
        int cqHead;
        int phase = 1;

        SoftwareController(RingMemory sq, int sqSize, RingMemory cq, int cqSize) {
            this.sq = sq;
            this.cq = cq;
            this.sqSize = sqSize;
            this.cqSize = cqSize;
        }

        void run() {
            while (sqHead != sqTail && ((cqTail + 1) & (cqSize - 1)) != cqHead) {
                int cid = sq.read16((long) sqHead * SQE + SQE_CID);
                sqHead = (sqHead + 1) & (sqSize - 1);
                long e = (long) cqTail * CQE;
                cq.write16(e + CQE_SQHD, sqHead);
                cq.write16(e + CQE_CID, cid);
                cq.write16(e + CQE_STATUS, phase); // status 0 (success), phase tag last
                cqTail = (cqTail + 1) & (cqSize - 1);
                if (cqTail == 0) {
                    phase ^= 1;
                }
            }
        }
    }

    @Test
    void shouldDriveAnNvmeQueuePairWithPhaseTagsAcrossManyLaps() {
        int sqSize = 8;
        int cqSize = 4;
        RingMemory sqMem = memory((long) sqSize * SQE);
        RingMemory cqMem = memory((long) cqSize * CQE);
        SoftwareController ctrl = new SoftwareController(sqMem, sqSize, cqMem, cqSize);
        SubmissionRing sq = new SubmissionRing(sqMem, sqSize, tail -> ctrl.sqTail = tail);
        CompletionQueue cq = new CompletionQueue(cqMem, cqSize, CompletionTest.phaseTag(CQE, CQE_STATUS, CQE_PHASE, cqSize),
                head -> ctrl.cqHead = head);
        SubmissionRing.SlotWriter<Integer> command = (m, slot, seq, cid) -> {
            m.fill((long) slot * SQE, SQE, (byte) 0);
            m.write16((long) slot * SQE + SQE_CID, cid);
        };
        List<Integer> completed = new ArrayList<>();
        int[] sqhd = {0};
        SubmissionRing.Reaper onCompletion = (m, slot, seq) -> {
            completed.add(m.read16((long) slot * CQE + CQE_CID));
            sqhd[0] = m.read16((long) slot * CQE + CQE_SQHD);
        };
        int cid = 0;
        for (int round = 0; round < 25; round++) {
            sq.submit(List.of(cid, cid + 1), 0, 2, command);
            cid += 2;
            ctrl.run();
            assertTrue(cq.reap(onCompletion, cqSize) > 0);
            // The SQ head in the last completion frees every SQ slot before it.
            long consumed = sq.reaped() + ((sqhd[0] - sq.tailSlot()) & (sqSize - 1));
            if (consumed > sq.reaped()) {
                sq.retireThrough(consumed - 1);
            }
            ctrl.run();
            cq.reap(onCompletion, cqSize);
            consumed = sq.reaped() + ((sqhd[0] - sq.tailSlot()) & (sqSize - 1));
            if (consumed > sq.reaped()) {
                sq.retireThrough(consumed - 1);
            }
        }
        assertEquals(50, completed.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(i, completed.get(i), "in order, across " + 50 / cqSize + " laps of the 4-entry CQ");
        }
        assertTrue(sq.isEmpty());
        assertEquals(50, cq.consumed());
    }

    @Test
    void shouldTreatAStaleEntryOfTheLastLapAsNotNew() {
        int cqSize = 2;
        RingMemory cqMem = memory((long) cqSize * CQE);
        CompletionTest phase = CompletionTest.phaseTag(CQE, CQE_STATUS, CQE_PHASE, cqSize);
        cqMem.write16(CQE_STATUS, 1);
        assertTrue(phase.isComplete(cqMem, 0, 0), "lap 0 expects phase 1");
        assertTrue(!phase.isComplete(cqMem, 0, 2), "lap 1 expects phase 0: the lap-0 entry is stale");
        assertThrows(IllegalArgumentException.class, () -> CompletionTest.phaseTag(CQE, CQE, CQE_PHASE, cqSize), "offset outside the entry");
    }
}
