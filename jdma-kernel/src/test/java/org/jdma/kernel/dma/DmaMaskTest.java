package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.mm.Zone;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/** Mask checks and presets, and the masks the platform can or cannot honour (with and without an IOMMU). */
class DmaMaskTest {

    @Test
    void shouldCoverRangeEndingExactlyAtMask() {
        assertTrue(DmaMask.BITS_32.covers(0xFFFF_F000L, 0x1000));
        assertFalse(DmaMask.BITS_32.covers(0xFFFF_F000L, 0x1001));
        assertFalse(DmaMask.BITS_32.covers(0x1_0000_0000L, 1));
    }

    @Test
    void shouldTreatWrappingRangeAsOutsideEveryMask() {
        assertFalse(DmaMask.BITS_64.covers(0xFFFF_FFFF_FFFF_F000L, 0x2000));
        assertTrue(DmaMask.BITS_64.covers(0xFFFF_FFFF_FFFF_F000L, 0x1000));
    }

    @Test
    void shouldCheckOnlyTheAddressForSizeZero() {
        assertTrue(DmaMask.BITS_32.covers(DmaMask.BITS_32.value(), 0));
        assertFalse(DmaMask.BITS_32.covers(DmaMask.BITS_32.value() + 1, 0));
    }

    @Test
    void shouldMatchLinuxBitMaskPresets() {
        assertEquals(0xFFFF_FFFFL, DmaMask.bits(32).value());
        assertEquals(-1L, DmaMask.bits(64).value());
        assertEquals(DmaMask.BITS_32, DmaMask.bits(32));
        assertEquals(0xFF_FFFFL, DmaMask.bits(24).value());
        assertTrue(DmaMask.of(0xFF_FFFFL).covers(0xFF_F000L, 0x1000));
        assertFalse(DmaMask.of(0xFF_FFFFL).covers(0xFF_F000L, 0x1001));
    }

    @Test
    void shouldAcceptMasksOfThirtyTwoBitsAndMoreUnderDirectDma() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertTrue(rig.dma.setMask(d, DmaMask.bits(64)));
            assertEquals(DmaMask.BITS_64, d.dmaMask());
            assertTrue(rig.dma.setMask(d, DmaMask.bits(36)));
            assertTrue(rig.dma.setCoherentMask(d, DmaMask.bits(32)));
            assertEquals(DmaMask.BITS_32, d.coherentMask());
        }
    }

    @Test
    void shouldRefuseMaskBelowZoneDmaWithoutChangingItAndNameIt() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("isa", 4, false);
            assertFalse(rig.dma.setMask(d, DmaMask.bits(20)), "RAM reaches beyond 1 MiB and no zone lies below it");
            assertEquals(DmaDevice.DEFAULT_MASK, d.dmaMask());
            assertFalse(rig.dma.setCoherentMask(d, DmaMask.of(0xFF_FFFEL)), "one byte short of zone DMA's top");
            assertEquals(DmaDevice.DEFAULT_MASK, d.coherentMask());
            List<String> warnings = rig.dma.recentWarnings();
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("isa: dma_set_mask(0xfffff) refused: direct DMA needs a mask of at least 0xffffff"),
                    warnings.get(0));
            assertTrue(warnings.get(1).startsWith("isa: dma_set_coherent_mask(0xfffffe) refused"), warnings.get(1));
            assertThrows(IllegalArgumentException.class, () -> DmaMask.of(0), "a mask of 0 reaches nothing");
        }
    }

    @Test
    void shouldAcceptTwentyFourBitMaskUnderDirectDmaBecauseZoneDmaLiesInsideIt() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("isa", 4, false);
            assertTrue(rig.dma.setMask(d, DmaMask.BITS_24));
            assertTrue(rig.dma.setCoherentMask(d, DmaMask.BITS_24));
            assertEquals(DmaMask.BITS_24, d.dmaMask());
            assertEquals(DmaMask.BITS_24, d.coherentMask());
            assertTrue(rig.dma.setMask(d, DmaMask.bits(30)), "any mask between 24 and 32 bits too");
            assertEquals(List.of(), rig.dma.recentWarnings());
        }
    }

    @Test
    void shouldBounceTwentyFourBitDeviceOnlyWhereThePoolLiesInsideItsMask() {
        // The bounce pool lies below 4 GiB (in DMA32, above 16 MiB), as Linux's default pool on x86
        // does: a buffer a 24-bit device cannot reach cannot be bounced for it either.
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("isa", 4, false);
            assertTrue(rig.dma.setMask(d, DmaMask.BITS_24));
            long inside = rig.frames.allocateBytes(4096, Zone.DMA);
            assertEquals(inside, rig.dma.mapSingle(d, inside, 4096, DmaDirection.TO_DEVICE, Set.of()), "zone DMA maps in place");
            rig.dma.unmapSingle(d, inside, 4096, DmaDirection.TO_DEVICE, Set.of());
            long high = rig.high(4096);
            assertEquals(DmaApi.DMA_MAPPING_ERROR, rig.dma.mapSingle(d, high, 4096, DmaDirection.TO_DEVICE, Set.of()));
            assertTrue(rig.dma.swiotlb().active());
            assertEquals(0, rig.dma.swiotlb().usedSlots(), "the slot beyond the mask was given back");
            String last = rig.dma.recentWarnings().getLast();
            assertTrue(last.startsWith("isa: swiotlb addr 0x") && last.endsWith("overflow (mask 0xffffff)"), last);
        }
    }

    @Test
    void shouldAcceptSmallMaskUnderIommu() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("isa", 4, false);
            assertTrue(rig.dma.setMask(d, DmaMask.bits(24)));
            long buf = rig.high(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, Set.of());
            assertNotEquals(DmaApi.DMA_MAPPING_ERROR, dma);
            assertTrue(DmaMask.bits(24).covers(dma, 4096), "IOVA inside the 24-bit mask: " + Long.toHexString(dma));
        }
    }

    @Test
    void shouldMapInPlaceWhenBufferIsInsideMask() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            long buf = rig.low(4096);
            assertEquals(buf, rig.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, Set.of()));
            assertEquals(0, rig.dma.swiotlb().usedSlots());
            assertTrue(rig.dma.setMask(d, DmaMask.bits(64)));
            long high = rig.high(4096);
            assertTrue(high >= Zone.NORMAL.start());
            assertEquals(high, rig.dma.mapSingle(d, high, 4096, DmaDirection.TO_DEVICE, Set.of()));
        }
    }

    @Test
    void shouldAddBusOffsetAndCheckMaskOnBusAddress() {
        try (Rig rig = Rig.direct(true, Rig.SMALL_POOL.withBusOffset(0x8000_0000L))) {
            DmaDevice d = rig.attach("soc", 4, false);
            long buf = rig.low(4096);
            long dma = rig.dma.mapSingle(d, buf, 4096, DmaDirection.TO_DEVICE, Set.of());
            if (DmaMask.BITS_32.covers(buf + 0x8000_0000L, 4096)) {
                assertEquals(buf + 0x8000_0000L, dma);
            } else {
                assertTrue(rig.dma.swiotlb().contains(dma - 0x8000_0000L), "beyond the mask after the offset: bounced");
            }
            rig.dma.unmapSingle(d, dma, 4096, DmaDirection.TO_DEVICE, Set.of());
            assertEquals(0, rig.dma.liveMappings(d));
        }
    }
}
