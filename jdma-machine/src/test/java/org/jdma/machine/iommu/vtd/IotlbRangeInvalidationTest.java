package org.jdma.machine.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Iotlb#invalidateRange} probes only the sets that can hold the range's pages, and drops what a full scan drops. */
class IotlbRangeInvalidationTest {

    private static final int K4 = 12;
    private static final int M2 = 21;
    private static final int G1 = 30;

    @Test
    void shouldDropTheOnePageAndTheSuperpagesThatHoldItButNotItsNeighboursOrOtherDomains() {
        Iotlb tlb = new Iotlb(512, 8);
        long page = 0x4020_3000L;
        tlb.insert(1, page, K4, 0x1000, true, true);
        tlb.insert(1, page + 0x1000, K4, 0x2000, true, true);
        tlb.insert(1, page, M2, 0x20_0000, true, true);
        tlb.insert(1, page, G1, 0x4000_0000L, true, true);
        tlb.insert(2, page, K4, 0x3000, true, true);

        assertEquals(3, tlb.invalidateRange(1, page, 4096));

        assertEquals(-1, tlb.lookup(1, page, K4));
        assertEquals(-1, tlb.lookup(1, page, M2));
        assertEquals(-1, tlb.lookup(1, page, G1));
        assertTrue(tlb.lookup(1, page + 0x1000, K4) >= 0, "the next page was not invalidated");
        assertTrue(tlb.lookup(2, page, K4) >= 0, "another domain's entry for the same IOVA stays");
    }

    /**
     * While only 4 KiB pages are cached a range invalidation probes one set per page; a superpage
     * cached later, even after such invalidations, is dropped all the same, and after a global
     * invalidation the probing narrows again.
     */
    @Test
    void shouldDropASuperpageCachedAfterOnlySmallPagesWere() {
        Iotlb tlb = new Iotlb(512, 8);
        long page = 0x4020_3000L;
        tlb.insert(1, page, K4, 0x1000, true, true);
        assertEquals(1, tlb.invalidateRange(1, page, 4096));
        tlb.insert(1, page, M2, 0x20_0000, true, true);
        assertEquals(1, tlb.invalidateRange(1, page + 0x1000, 4096), "the 2 MiB entry holding the page");
        assertEquals(-1, tlb.lookup(1, page, M2));

        tlb.insert(1, page, G1, 0x4000_0000L, true, true);
        tlb.invalidateAll();
        tlb.insert(1, page, K4, 0x1000, true, true);
        tlb.insert(1, page, G1, 0x4000_0000L, true, true);
        assertEquals(2, tlb.invalidateRange(1, page, 4096), "the page and the 1 GiB entry");
        assertEquals(-1, tlb.lookup(1, page, G1));
    }

    @Test
    void shouldAgreeWithAFullScanOnRandomRanges() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200; round++) {
            Iotlb probed = new Iotlb(512, 8);
            Iotlb scanned = new Iotlb(512, 8);
            for (int i = 0; i < 300; i++) {
                int did = random.nextInt(3);
                int shift = new int[] {K4, K4, K4, M2, G1}[random.nextInt(5)];
                long iova = random.nextLong(1L << 34);
                probed.insert(did, iova, shift, 0, true, true);
                scanned.insert(did, iova, shift, 0, true, true);
            }
            int did = random.nextInt(3);
            long address = random.nextLong(1L << 34) & ~0xFFFL;
            long length = 4096L << random.nextInt(12); // 4 KiB .. 8 MiB: probes and scans
            assertEquals(scanned.invalidateRangeByScan(did, address, address + length), probed.invalidateRange(did, address, length),
                    "round " + round);
            assertEquals(scanned.size(), probed.size(), "round " + round);
        }
    }
}
