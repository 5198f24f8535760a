package org.jdma.kernel.iommu.vtd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PsiMaskTest {

    @Test
    void shouldCoverAlignedPowerOfTwoRangesExactly() {
        assertEquals(0, VtdUnitDriver.psiMask(0x123, 1));
        assertEquals(4, VtdUnitDriver.psiMask(0x120, 16));
        assertEquals(2, VtdUnitDriver.psiMask(0x100, 3), "3 pages round up to 4");
    }

    @Test
    void shouldGrowTheMaskUntilAnAlignedBlockCoversAnUnalignedRange() {
        // pfns 0x7..0x8 cross an 8-page boundary: only the 16-page block at 0 covers both.
        assertEquals(4, VtdUnitDriver.psiMask(0x7, 2));
        for (long pfn = 0; pfn < 300; pfn += 7) {
            for (long pages = 1; pages < 40; pages += 3) {
                int m = VtdUnitDriver.psiMask(pfn, pages);
                long base = pfn & ~((1L << m) - 1);
                assertTrue(base <= pfn && base + (1L << m) >= pfn + pages, pfn + "+" + pages + " mask " + m);
            }
        }
    }
}
