package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.mm.Zone;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/** Checklist rows 83 and 84: mask checks and presets, and masks the platform can or cannot honour. */
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
    void shouldRefuseMaskThatMissesRamWithoutChangingIt() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("isa", 4, false);
            assertFalse(rig.dma.setMask(d, DmaMask.bits(24)), "RAM reaches beyond 4 GiB and there is no 24-bit zone");
            assertEquals(DmaDevice.DEFAULT_MASK, d.dmaMask());
            assertThrows(IllegalArgumentException.class, () -> DmaMask.of(0), "a mask of 0 reaches nothing");
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
