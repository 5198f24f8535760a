package org.jdma.kernel.mm;

import static org.jdma.kernel.mm.FrameAllocator.FRAME_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jdma.platform.MemoryMapEntry;
import org.junit.jupiter.api.Test;

/** Zones DMA (below 16 MiB), DMA32 (below 4 GiB) and NORMAL: boundaries, fallback order, per-zone counters. */
class ZoneTest {

    static final long MiB = 1L << 20;
    static final long FOUR_GIB = 4L << 30;
    static final long DMA_FRAMES_OF_32MIB = 16 * MiB / FRAME_SIZE;

    static MemoryMapEntry ram(long base, long length) {
        return new MemoryMapEntry(base, length, MemoryMapEntry.Type.RAM);
    }

    /** 32 MiB at 0 (DMA: frames 1..4095, DMA32: 16..32 MiB) and 64 KiB at 4 GiB (NORMAL: 16 frames). */
    static BuddyFrameAllocator small() {
        return BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 32 * MiB), ram(FOUR_GIB, 64 * 1024)));
    }

    @Test
    void shouldPlaceTheZoneBoundariesAtSixteenMibAndFourGib() {
        assertEquals(Zone.DMA, Zone.of(0));
        assertEquals(Zone.DMA, Zone.of(16 * MiB - 1));
        assertEquals(Zone.DMA32, Zone.of(16 * MiB));
        assertEquals(Zone.DMA32, Zone.of(FOUR_GIB - 1));
        assertEquals(Zone.NORMAL, Zone.of(FOUR_GIB));
        assertEquals(16 * MiB, Zone.DMA.end());
        assertEquals(Zone.DMA.end(), Zone.DMA32.start());
        assertEquals(Zone.DMA32.end(), Zone.NORMAL.start());
    }

    @Test
    void shouldFallBackOnlyToLowerZonesFromTheTopDown() {
        assertEquals(List.of(Zone.DMA), Zone.DMA.fallbackOrder());
        assertEquals(List.of(Zone.DMA32, Zone.DMA), Zone.DMA32.fallbackOrder());
        assertEquals(List.of(Zone.NORMAL, Zone.DMA32, Zone.DMA), Zone.NORMAL.fallbackOrder());
    }

    @Test
    void shouldCutRamThatCrossesSixteenMibIntoTwoZones() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(8 * MiB, 16 * MiB)));
        assertEquals(List.of(new PhysicalRange(8 * MiB, 8 * MiB), new PhysicalRange(16 * MiB, 8 * MiB)), a.managedRanges());
        assertEquals(List.of(new BuddyFrameAllocator.Block(8 * MiB, 11), new BuddyFrameAllocator.Block(16 * MiB, 11)),
                a.freeBlocks(), "the two 8 MiB halves are buddies by address but never merge across the boundary");
        assertEquals(2048, a.managedFrames(Zone.DMA));
        assertEquals(2048, a.managedFrames(Zone.DMA32));
        long dma = a.allocate(11, Zone.DMA);
        long dma32 = a.allocate(11, Zone.DMA32);
        a.free(dma, 11);
        a.free(dma32, 11);
        assertEquals(2, a.freeBlocks().size(), "freeing both does not coalesce them into a 16 MiB block");
        assertThrows(OutOfFramesException.class, () -> a.allocate(12, Zone.DMA32));
    }

    @Test
    void shouldServeDmaRequestsOnlyBelowSixteenMib() {
        var a = small();
        for (long i = 0; i < DMA_FRAMES_OF_32MIB - 1; i++) {
            long p = a.allocate(0, Zone.DMA);
            assertTrue(p < 16 * MiB, String.format("%#x", p));
        }
        var e = assertThrows(OutOfFramesException.class, () -> a.allocate(0, Zone.DMA));
        assertTrue(e.getMessage().contains("zone DMA:"), e.getMessage());
        assertEquals(1, a.zoneStats(Zone.DMA).failures());
        assertEquals(DMA_FRAMES_OF_32MIB + 16, a.stats().freeFrames(), "DMA32 and NORMAL still have everything");
    }

    @Test
    void shouldFallBackFromNormalToDma32AndOnlyThenToDma() {
        var a = small();
        for (int i = 0; i < 16; i++) {
            assertEquals(Zone.NORMAL, Zone.of(a.allocate(0, Zone.NORMAL)));
        }
        assertEquals(Zone.DMA32, Zone.of(a.allocate(0, Zone.NORMAL)), "NORMAL is full: DMA32 next");
        while (a.zoneStats(Zone.DMA32).freeFrames() > 0) {
            a.allocate(0, Zone.DMA32);
        }
        assertEquals(Zone.DMA, Zone.of(a.allocate(0, Zone.NORMAL)), "DMA is the last resort");
        assertEquals(1, a.zoneStats(Zone.DMA32).fallbackAllocations());
        assertEquals(1, a.zoneStats(Zone.DMA).fallbackAllocations());
        assertEquals(0, a.zoneStats(Zone.NORMAL).fallbackAllocations());
    }

    @Test
    void shouldNeverServeALowZoneRequestFromAHigherZone() {
        var a = small();
        while (a.zoneStats(Zone.DMA).freeFrames() + a.zoneStats(Zone.DMA32).freeFrames() > 0) {
            assertTrue(a.allocate(0, Zone.DMA32) < FOUR_GIB);
        }
        var e = assertThrows(OutOfFramesException.class, () -> a.allocate(0, Zone.DMA32));
        assertTrue(e.getMessage().contains("zones DMA32, DMA:"), e.getMessage());
        assertEquals(16, a.zoneStats(Zone.NORMAL).freeFrames(), "NORMAL was never touched");
        assertEquals(1, a.zoneStats(Zone.DMA32).failures());
        assertEquals(0, a.zoneStats(Zone.DMA).failures(), "a failure counts against the zone the request named");
    }

    @Test
    void shouldCountEveryZoneOnItsOwn() {
        var a = small();
        long dmaFrames = DMA_FRAMES_OF_32MIB - 1;
        assertEquals(new ZoneStats(Zone.DMA, dmaFrames, dmaFrames, 0, 0, 0, 0), a.zoneStats(Zone.DMA));
        assertEquals(new ZoneStats(Zone.DMA32, DMA_FRAMES_OF_32MIB, DMA_FRAMES_OF_32MIB, 0, 0, 0, 0), a.zoneStats(Zone.DMA32));
        assertEquals(new ZoneStats(Zone.NORMAL, 16, 16, 0, 0, 0, 0), a.zoneStats(Zone.NORMAL));
        long d = a.allocate(2, Zone.DMA);
        long n = a.allocate(4, Zone.NORMAL);
        long f = a.allocate(4, Zone.NORMAL); // NORMAL has no second order-4 block: from DMA32
        a.free(d, 2);
        assertEquals(new ZoneStats(Zone.DMA, dmaFrames, dmaFrames, 1, 0, 1, 0), a.zoneStats(Zone.DMA));
        assertEquals(new ZoneStats(Zone.DMA32, DMA_FRAMES_OF_32MIB, DMA_FRAMES_OF_32MIB - 16, 1, 1, 0, 0), a.zoneStats(Zone.DMA32));
        assertEquals(new ZoneStats(Zone.NORMAL, 16, 0, 1, 0, 0, 0), a.zoneStats(Zone.NORMAL));
        assertEquals(16, a.zoneStats(Zone.DMA32).allocatedFrames());
        FrameStats all = a.stats();
        assertEquals(dmaFrames + DMA_FRAMES_OF_32MIB - 16, all.freeDma32Frames(), "below 4 GiB: DMA and DMA32 together");
        assertEquals(3, all.allocations());
        a.free(n, 4);
        a.free(f, 4);
        assertTrue(a.toString().contains("DMA " + dmaFrames) && a.toString().contains("NORMAL 16"), a.toString());
    }
}
