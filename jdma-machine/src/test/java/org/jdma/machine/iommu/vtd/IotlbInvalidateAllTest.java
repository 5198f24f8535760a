package org.jdma.machine.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Iotlb#invalidateAll} visits only the sets filled since its last call; it must still drop
 * every valid entry (as {@link Iotlb#size()}, which scans every set, counts them), also after
 * other invalidations emptied some of those sets and across repeated fill and drop rounds.
 */
class IotlbInvalidateAllTest {

    private static final int[] SHIFTS = {12, 12, 12, 21, 30};

    @Test
    void shouldDropEveryEntryAFullScanCountsOverManyFillAndDropRounds() {
        SplittableRandom random = new SplittableRandom(7);
        Iotlb tlb = new Iotlb(512, 8);
        for (int round = 0; round < 100; round++) {
            List<long[]> inserted = new ArrayList<>();
            int inserts = random.nextInt(1, 700); // past the 512 entries: evictions too
            for (int i = 0; i < inserts; i++) {
                int did = random.nextInt(3);
                int shift = SHIFTS[random.nextInt(SHIFTS.length)];
                long iova = random.nextLong(1L << 34);
                tlb.insert(did, iova, shift, 0, true, true);
                inserted.add(new long[] {did, iova, shift});
            }
            if (random.nextBoolean()) {
                tlb.invalidateDomain(random.nextInt(3));
            }
            int valid = tlb.size();

            assertEquals(valid, tlb.invalidateAll(), "round " + round + ": entries dropped");
            assertEquals(0, tlb.size(), "round " + round + ": entries left");
            for (long[] e : inserted) {
                assertEquals(-1, tlb.lookup((int) e[0], e[1], (int) e[2]), "round " + round + ": a dropped entry still hits");
            }
        }
    }

    @Test
    void shouldDropEntriesOfAReusedTlbAfterReset() {
        Iotlb tlb = new Iotlb(512, 8);
        tlb.insert(1, 0x1000, 12, 0x5000, true, true);
        tlb.reset();
        tlb.insert(1, 0x2000, 12, 0x6000, true, true);
        tlb.insert(2, 0x1000, 12, 0x7000, true, false);

        tlb.reset();

        assertEquals(0, tlb.size());
        assertEquals(-1, tlb.lookup(1, 0x2000, 12));
        assertEquals(-1, tlb.lookup(2, 0x1000, 12));
    }
}
