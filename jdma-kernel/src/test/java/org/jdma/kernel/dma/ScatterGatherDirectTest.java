package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.jdma.kernel.dma.swiotlb.Swiotlb;
import org.junit.jupiter.api.Test;

/** dma_direct_map_sg: one device segment per entry, never merged; a failure unmaps what was done. */
class ScatterGatherDirectTest {

    private static final Set<DmaAttr> NONE = Set.of();

    @Test
    void shouldNotMergePhysicallyContiguousEntries() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(3 * 4096);
            ScatterList sg = new ScatterList().add(buf, 4096).add(buf + 4096, 4096).add(buf + 8192, 100);
            assertEquals(3, rig.dma.mapSg(d, sg, 3, DmaDirection.TO_DEVICE, NONE));
            for (int i = 0; i < 3; i++) {
                assertEquals(sg.get(i).physical(), sg.get(i).dmaAddress());
                assertEquals(sg.get(i).length(), sg.get(i).dmaLength());
            }
            rig.dma.unmapSg(d, sg, 3, DmaDirection.TO_DEVICE, NONE);
            assertEquals(0, rig.dma.liveMappings(d));
        }
    }

    @Test
    void shouldBounceEntriesBeyondMaskAndCopyBackOnUnmap() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long low = rig.low(4096);
            long high = rig.high(4096);
            ScatterList sg = new ScatterList().add(low, 300).add(high + 50, 300);
            assertEquals(2, rig.dma.mapSg(d, sg, 2, DmaDirection.FROM_DEVICE, NONE));
            assertEquals(low, sg.get(0).dmaAddress());
            assertTrue(rig.dma.swiotlb().contains(sg.get(1).dmaAddress()));
            rig.write(sg.get(0).dmaAddress(), Rig.pattern(300, 1));
            rig.write(sg.get(1).dmaAddress(), Rig.pattern(300, 2));
            rig.dma.syncSgForCpu(d, sg, 2, DmaDirection.FROM_DEVICE);
            assertArrayEquals(Rig.pattern(300, 2), rig.read(high + 50, 300));
            rig.dma.unmapSg(d, sg, 2, DmaDirection.FROM_DEVICE, NONE);
            assertArrayEquals(Rig.pattern(300, 1), rig.read(low, 300));
            assertEquals(0, rig.dma.swiotlb().usedSlots());
        }
    }

    @Test
    void shouldUnmapEarlierEntriesWhenLaterEntryCannotBeMapped() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long high = rig.high(2 * Swiotlb.MAX_MAPPING_SIZE);
            ScatterList sg = new ScatterList().add(high, 4096).add(high + 8192, 4096).add(high + 65536, Swiotlb.MAX_MAPPING_SIZE + 1);
            assertEquals(0, rig.dma.mapSg(d, sg, 3, DmaDirection.TO_DEVICE, NONE));
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertEquals(0, rig.dma.liveMappings(d));
            for (int i = 0; i < 3; i++) {
                assertEquals(DmaApi.DMA_MAPPING_ERROR, sg.get(i).dmaAddress());
            }
        }
    }
}
