package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.mm.Zone;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.testing.FakeIommu;
import org.jdma.kernel.testing.FakeIommuDomain;
/** dma_alloc_coherent: zeroed, inside the coherent mask, uncached on a non-coherent machine. */
class CoherentAllocationTest {

    @Test
    void shouldZeroMemoryAPreviousOwnerDirtied() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            CoherentBuffer first = rig.dma.allocCoherent(d, 8192);
            rig.write(first.physical(), Rig.pattern(8192, 77));
            rig.dma.freeCoherent(d, 8192, first.physical(), first.dmaAddress());
            CoherentBuffer second = rig.dma.allocCoherent(d, 8192);
            assertEquals(first.physical(), second.physical(), "the buddy allocator hands the same block back");
            assertArrayEquals(new byte[8192], rig.read(second.physical(), 8192));
        }
    }

    @Test
    void shouldAllocateInsideCoherentMask() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertTrue(rig.dma.setMask(d, DmaMask.bits(64)));
            // 32-bit coherent mask (the default): DMA32 frames even though the streaming mask is 64-bit.
            for (int i = 0; i < 8; i++) {
                CoherentBuffer b = rig.dma.allocCoherent(d, 64 * 1024);
                assertNotNull(b);
                assertTrue(DmaMask.BITS_32.covers(b.dmaAddress(), b.size()), Long.toHexString(b.dmaAddress()));
                assertEquals(b.physical(), b.dmaAddress());
            }
            assertTrue(rig.dma.setCoherentMask(d, DmaMask.bits(64)));
            CoherentBuffer high = rig.dma.allocCoherent(d, 4096);
            assertTrue(high.physical() >= Zone.NORMAL.start(), "a 64-bit coherent mask takes NORMAL frames first");
            assertEquals(10, rig.dma.liveCoherent(d) + 1);
        }
    }

    @Test
    void shouldServeTwentyFourBitCoherentMaskFromZoneDma() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("isa", 4, false);
            assertTrue(rig.dma.setCoherentMask(d, DmaMask.BITS_24));
            long before = rig.frames.zoneStats(Zone.DMA).allocations();
            CoherentBuffer b = rig.dma.allocCoherent(d, 10_000);
            assertNotNull(b);
            assertTrue(b.physical() + 16_384 <= Zone.DMA.end(), "below 16 MiB: " + Long.toHexString(b.physical()));
            assertTrue(DmaMask.BITS_24.covers(b.dmaAddress(), b.size()));
            assertEquals(before + 1, rig.frames.zoneStats(Zone.DMA).allocations(), "asked of zone DMA, not a fallback");
        }
    }

    @Test
    void shouldFallBackFromDma32ToZoneDmaWhenTheBlockLandsAboveTheCoherentMask() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("isa", 4, false);
            DmaMask mask25 = DmaMask.bits(25);
            assertTrue(rig.dma.setCoherentMask(d, mask25));
            // DMA32 hands out its lowest free block; fill 16-32 MiB so that block lies above 32 MiB.
            long filler = rig.frames.allocateBytes(16L << 20, Zone.DMA32);
            assertEquals(16L << 20, filler);
            CoherentBuffer b = rig.dma.allocCoherent(d, 4096);
            assertNotNull(b);
            assertTrue(b.physical() < Zone.DMA.end(), "Linux retries with GFP_DMA: " + Long.toHexString(b.physical()));
            assertTrue(mask25.covers(b.dmaAddress(), b.size()));
        }
    }

    @Test
    void shouldReturnNullWhenNoMemoryFitsCoherentMask() {
        try (Rig rig = Rig.direct(true)) {
            DmaDevice d = rig.attach("nic", 4, false);
            assertNull(rig.dma.allocCoherent(d, 1L << 40), "larger than any block");
            int got = 0;
            CoherentBuffer b;
            while ((b = rig.dma.allocCoherent(d, 8L << 20)) != null) {
                assertTrue(DmaMask.BITS_32.covers(b.dmaAddress(), b.size()));
                got++;
                assertTrue(got < 8, "the machine has only 64 MiB below 4 GiB");
            }
            assertTrue(got >= 1);
            assertTrue(rig.frames.stats().freeFrames() * FrameAllocator.FRAME_SIZE > 32L << 20, "memory above 4 GiB was left alone");
        }
    }

    @Test
    void shouldMakeCoherentMemoryUncachedOnNonCoherentMachine() {
        try (Rig rig = Rig.direct(false)) {
            DmaDevice d = rig.attach("nic", 4, false);
            CoherentBuffer b = rig.dma.allocCoherent(d, 3000);
            assertEquals(List.of(String.format("UNCACHED %#x+%d", b.physical(), 4096)), rig.cache.ops());
            assertArrayEquals(new byte[3000], rig.read(b.physical(), 3000));
            rig.cache.clear();
            rig.dma.freeCoherent(d, 3000, b.physical(), b.dmaAddress());
            assertEquals(List.of(String.format("WRITE_BACK %#x+%d", b.physical(), 4096)), rig.cache.ops(), "cached again before the frames are reused");
        }
    }

    @Test
    void shouldMapCoherentMemoryReadWriteInsideCoherentMaskUnderIommu() {
        FakeIommuDomain domain = new FakeIommuDomain(IommuDomain.Type.DMA_STRICT, 48);
        try (Rig rig = Rig.iommu(true, new FakeIommu().put(Rig.rid(4), domain))) {
            DmaDevice d = rig.attach("nvme", 4, false);
            assertTrue(rig.dma.setCoherentMask(d, DmaMask.bits(24)));
            CoherentBuffer b = rig.dma.allocCoherent(d, 10_000);
            assertNotNull(b);
            assertTrue(DmaMask.bits(24).covers(b.dmaAddress(), b.size()));
            assertEquals(b.physical(), domain.translate(b.dmaAddress()).orElseThrow());
            assertEquals(b.physical() + 9999, domain.translate(b.dmaAddress() + 9999).orElseThrow());
            assertEquals(IoPermission.READ_WRITE, domain.pte(b.dmaAddress()).permission());
            rig.dma.freeCoherent(d, 10_000, b.physical(), b.dmaAddress());
            assertEquals(0, domain.liveAllocations());
            assertEquals(0, domain.mappedPages());
        }
    }
}
