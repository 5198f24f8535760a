package org.jdma.kernel.drivers.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link QueuePair}'s command identifiers. */
class QueuePairTest {

    private final Machine machine = TestMachines.ramOnly();
    private final DmaMemory memory = TestMachines.dmaMemory(machine);
    private final DeviceDmaApi dma = TestMachines.device(TestMachines.directDma(memory), "nvme-test");

    @AfterEach
    void tearDown() {
        machine.close();
    }

    @Test
    void shouldTakeBackACidWhoseCommandWasNeverSubmitted() {
        QueuePair q = new QueuePair(1, 4, 0, dma, machine.cpu(), null, 0);
        // A request whose data could not be mapped gives its CID back; many such requests lose none.
        for (int i = 0; i < 10; i++) {
            q.unallocCid(q.allocCid());
        }
        Set<Integer> cids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            cids.add(q.allocCid());
        }
        assertEquals(Set.of(0, 1, 2), cids, "a depth-4 queue still has its three CIDs");
        assertEquals(-1, q.allocCid());
        assertEquals(3, q.outstanding());
        q.free();
    }

    @Test
    void shouldRefuseToTakeBackASubmittedCidAsUnused() {
        QueuePair q = new QueuePair(1, 4, 0, dma, machine.cpu(), null, 0);
        int cid = q.allocCid();
        q.tags[cid] = (status, dw0) -> { };
        assertThrows(IllegalStateException.class, () -> q.unallocCid(cid));
        q.free();
    }
}
