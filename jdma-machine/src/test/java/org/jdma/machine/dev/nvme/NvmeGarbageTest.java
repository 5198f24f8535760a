package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.spec.nvme.NvmeCommands.NVM_READ;
import static org.jdma.spec.nvme.NvmeStatus.SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jdma.spec.nvme.NvmeRegisters;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.junit.jupiter.api.Test;

/** Random submission entries and doorbell writes: every command completes with some status, the machine goes on. */
class NvmeGarbageTest {

    @Test
    void shouldCompleteRandomEntriesWithSomeStatusAndKeepServing() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(3).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 64, 1);
            SplittableRandom random = new SplittableRandom(5);
            for (int round = 0; round < 200; round++) {
                NvmeRig.Pair q = random.nextBoolean() ? p : rig.admin;
                Sqe e = new Sqe(random.nextInt(256));
                random.nextBytes(e.bytes);
                // keep admin commands from deleting or re-creating the I/O pair under test, and from
                // parking as event requests that would hold the admin queue's completions
                int opcode = e.bytes[SubmissionEntryLayout.OPCODE] & 0xFF;
                if (q == rig.admin && (opcode <= 0x01 || opcode == 0x04 || opcode == 0x05 || opcode == 0x0C)) {
                    e.bytes[SubmissionEntryLayout.OPCODE] = 0x7F;
                }
                rig.submit(q, e.cid(round));
                NvmeRig.Cqe c = rig.await(q);
                assertEquals(round, c.cid());
                if (random.nextInt(8) == 0) {
                    rig.write(NvmeRegisters.DOORBELLS + 4 * (8 + random.nextInt(100)), random.nextInt());
                }
            }
            rig.runIdle();
            assertEquals(0, rig.reg(NvmeRegisters.CSTS) & NvmeRegisters.CSTS_CFS);
            rig.submit(p, rw(NVM_READ, 0, 8, NvmeRig.DATA, 0));
            assertEquals(SUCCESS, rig.await(p).status());
            assertTrue(rig.nvme.invalidDoorbells() > 0);
        }
    }
}
