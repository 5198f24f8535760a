package org.jdma.kernel.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.kernel.testing.Workers;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

/**
 * One unit's table memory serves every domain on the unit, and domains map and unmap from several
 * CPUs at once (each domain under its own lock only): its page accounting must not lose updates.
 */
class TableMemoryConcurrencyTest {

    private static final int THREADS = 4;
    private static final int ROUNDS = 2_000;
    private static final long K4 = 4096;
    private static final long M2 = 2L << 20;

    @Test
    void shouldCountTablePagesExactlyWhileDomainsOfOneUnitMapAndUnmapAtOnce() throws InterruptedException {
        try (Machine machine = TestMachines.ramOnly()) {
            BuddyFrameAllocator frames = BuddyFrameAllocator.fromMemoryMap(machine.memoryMap());
            TableMemory memory = new TableMemory(machine.cpu(), frames, true);
            long before = memory.pagesInUse();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            Workers.run(THREADS, id -> {
                SecondLevelPageTable domain = new SecondLevelPageTable(memory, 4, false, false);
                for (int i = 0; i < ROUNDS; i++) {
                    // A page in a 2 MiB range of its own: each map hangs a new level-2 and level-1
                    // table, each unmap hands both back.
                    long iova = (long) (i % 64) * 512 * M2 + (long) id * M2;
                    domain.map(iova, 0x10_0000L + (long) id * K4, K4, true, true);
                    List<Long> freed = domain.unmap(iova, K4);
                    freed.forEach(memory::freePage);
                    if (domain.tablePages() != 1) {
                        failures.add("thread " + id + " round " + i + ": " + domain.tablePages() + " table pages after the unmap");
                    }
                }
                domain.destroy();
            });
            assertEquals(List.of(), List.copyOf(failures));
            assertEquals(before, memory.pagesInUse(), "every table page of every domain back");
            assertEquals(0, memory.refusedFrees());
        }
    }
}
