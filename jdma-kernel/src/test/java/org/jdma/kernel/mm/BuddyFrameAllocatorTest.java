package org.jdma.kernel.mm;

import static org.jdma.kernel.mm.FrameAllocator.FRAME_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdma.kernel.testing.Workers;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.platform.MemoryMapEntry;
import org.junit.jupiter.api.Test;

class BuddyFrameAllocatorTest {

    static final long KiB = 1L << 10;
    static final long MiB = 1L << 20;
    static final long GiB = 1L << 30;
    static final long FOUR_GIB = 4 * GiB;

    static MemoryMapEntry ram(long base, long length) {
        return new MemoryMapEntry(base, length, MemoryMapEntry.Type.RAM);
    }

    static MemoryMapEntry reserved(long base, long length) {
        return new MemoryMapEntry(base, length, MemoryMapEntry.Type.RESERVED);
    }

    /** The default machine's layout: 2 GiB at 0, 2 GiB at 4 GiB. */
    static List<MemoryMapEntry> defaultMap() {
        return List.of(ram(0, 2 * GiB), reserved(0xF000_0000L, 0x1_0000), ram(FOUR_GIB, 2 * GiB));
    }

    static String hex(long v) {
        return String.format("%#x", v);
    }

    // ---------------------------------------------------------------- which frames of a range are free

    @Test
    void shouldFindNoFreeFrameInARangeOfAllocatedBlocksAndHoles() {
        // RAM [1 MiB, 1.5 MiB) and [2 MiB, 2.5 MiB): a hole between, nothing below.
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(MiB, 512 * KiB), ram(2 * MiB, 512 * KiB)));
        long first = a.allocate(7, Zone.DMA); // the whole first region (128 frames)
        long second = a.allocate(7, Zone.DMA);
        assertEquals(MiB, first);
        assertEquals(2 * MiB, second);
        assertEquals(-1, a.firstFreeFrame(0, 4 * MiB), "frame 0, the hole and the space above RAM are not the allocator's");
        a.free(second, 7);
        assertEquals(2 * MiB, a.firstFreeFrame(0, 4 * MiB));
        assertEquals(-1, a.firstFreeFrame(MiB + 100, 512 * KiB - 100), "up to the last byte of the allocated block");
        assertEquals(2 * MiB, a.firstFreeFrame(MiB, 2 * MiB - MiB + 1), "one byte into the freed block");
    }

    @Test
    void shouldFindTheFirstFreeFrameInsideABlockSplitForAnAllocation() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(MiB, MiB)));
        long one = a.allocate(0, Zone.DMA);
        assertEquals(-1, a.firstFreeFrame(one, FRAME_SIZE));
        assertEquals(one + FRAME_SIZE, a.firstFreeFrame(one, 2 * FRAME_SIZE));
        assertEquals(one + FRAME_SIZE, a.firstFreeFrame(one, Long.MAX_VALUE), "a range past the top of memory");
        assertEquals(-1, a.firstFreeFrame(one, 0));
        assertEquals(-1, a.firstFreeFrame(-FRAME_SIZE, FRAME_SIZE), "negative addresses are no RAM");
    }

    @Test
    void shouldCountTheKernelsOwnBlocksAsUnmappableUntilTheyAreFreed() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(MiB, MiB)));
        long driver = a.allocate(0, Zone.DMA);
        long tables = a.allocateForKernel(1, Zone.DMA);
        long after = a.allocate(0, Zone.DMA);
        assertEquals(driver + 2 * FRAME_SIZE, tables, "order 1 is aligned to two frames");
        assertEquals(driver + FRAME_SIZE, after, "the frame the split left");
        long end = tables + 2 * FRAME_SIZE;
        assertEquals(-1, a.firstFreeFrame(driver, end - driver), "every frame is allocated");
        assertEquals(tables, a.firstUnmappableFrame(driver, end - driver));
        assertEquals(-1, a.firstUnmappableFrame(driver, 2 * FRAME_SIZE), "the two frames drivers own");
        assertEquals(end, a.firstUnmappableFrame(end, FRAME_SIZE), "a free frame is unmappable too");
        assertEquals(tables, a.firstUnmappableFrame(tables - 1, 2), "one byte before and one byte into the kernel's block");
        assertEquals(tables + FRAME_SIZE, a.firstUnmappableFrame(tables + FRAME_SIZE, FRAME_SIZE), "its second frame too");
        assertTrue(a.isKernelHeld(tables + FRAME_SIZE + 100));
        assertFalse(a.isKernelHeld(driver));
        assertFalse(a.isKernelHeld(after));
        assertFalse(a.isKernelHeld(end), "a free frame is nobody's");
        a.free(tables, 1);
        assertFalse(a.isKernelHeld(tables));
        long reused = a.allocate(1, Zone.DMA);
        assertEquals(tables, reused, "the same block, now a driver's");
        assertEquals(-1, a.firstUnmappableFrame(reused, 2 * FRAME_SIZE), "the mark went with the free");
    }

    // ---------------------------------------------------------------- construction from the map

    @Test
    void shouldManageAllRamOfTheDefaultMapExceptFrameZero() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        FrameStats s = a.stats();
        long frames = 4 * GiB / FRAME_SIZE;
        assertEquals(frames - 1, s.managedFrames());
        assertEquals(frames - 1, s.freeFrames());
        assertEquals(frames / 2 - 1, s.freeDma32Frames(), "everything below 4 GiB: zones DMA and DMA32");
        assertEquals(16 * MiB / FRAME_SIZE - 1, a.managedFrames(Zone.DMA));
        assertEquals(frames / 2 - 16 * MiB / FRAME_SIZE, a.managedFrames(Zone.DMA32));
        assertEquals(frames / 2, a.managedFrames(Zone.NORMAL));
        assertEquals(List.of(new PhysicalRange(FRAME_SIZE, 16 * MiB - FRAME_SIZE), new PhysicalRange(16 * MiB, 2 * GiB - 16 * MiB),
                new PhysicalRange(FOUR_GIB, 2 * GiB)), a.managedRanges(), "the low RAM is cut where zone DMA ends");
    }

    @Test
    void shouldCarveTheLowZoneIntoAlignedBlocksAroundFrameZero() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        // Frames 1..2^19-1: one block of each order 0..17 (at frame 2^k), then order 18 at 1 GiB.
        List<BuddyFrameAllocator.Block> expected = new ArrayList<>();
        for (int k = 0; k < 18; k++) {
            expected.add(new BuddyFrameAllocator.Block((long) FRAME_SIZE << k, k));
        }
        expected.add(new BuddyFrameAllocator.Block(GiB, 18));
        expected.add(new BuddyFrameAllocator.Block(FOUR_GIB, 18));
        expected.add(new BuddyFrameAllocator.Block(FOUR_GIB + GiB, 18));
        assertEquals(expected, a.freeBlocks());
        assertEquals(18, a.largestFreeOrder(Zone.DMA32));
        assertEquals(1, a.freeBlockCount(Zone.DMA32, 18));
        assertEquals(2, a.freeBlockCount(Zone.NORMAL, 18));
    }

    @Test
    void shouldKeepMetadataBelowTwoBytesPerFrame() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        long frames = a.stats().managedFrames();
        assertTrue(a.metadataBytes() < 2 * frames, "metadata " + a.metadataBytes() + " bytes for " + frames + " frames");
        assertTrue(a.metadataBytes() >= frames, "one state byte per frame at least, was " + a.metadataBytes());
    }

    @Test
    void shouldBuildFromARealMachineMemoryMap() {
        try (Machine m = new Machine(MachineConfig.defaults())) {
            var a = BuddyFrameAllocator.fromMemoryMap(m.memoryMap());
            assertEquals(4 * GiB / FRAME_SIZE - 1, a.stats().managedFrames());
            for (PhysicalRange r : a.managedRanges()) {
                for (MemoryMapEntry e : m.memoryMap()) {
                    if (e.type() == MemoryMapEntry.Type.RESERVED) {
                        assertTrue(r.end() <= e.base() || e.end() <= r.base(), r + " overlaps reserved " + e);
                    }
                }
            }
            // What the allocator hands out is real RAM: the CPU reads back what it wrote, no bus error.
            long low = a.allocate(0, Zone.DMA32);
            long high = a.allocate(4, Zone.NORMAL);
            assertTrue(low < FOUR_GIB && high >= FOUR_GIB);
            m.cpu().write64(low, 0x1122_3344_5566_7788L);
            m.cpu().write64(high + 16 * FRAME_SIZE - 8, -2L);
            assertEquals(0x1122_3344_5566_7788L, m.cpu().read64(low));
            assertEquals(-2L, m.cpu().read64(high + 16 * FRAME_SIZE - 8));
            assertEquals(0, m.cpu().busErrors());
            a.free(low, 0);
            a.free(high, 4);
            assertEquals(a.stats().managedFrames(), a.stats().freeFrames());
        }
    }

    @Test
    void shouldHandleHolesAndUnalignedRamEdges() {
        List<MemoryMapEntry> map = List.of(
                ram(0x1800, 0x5000),                    // frames 2..5 (edges rounded inwards)
                reserved(0x9_F000, 0x6_1000),           // legacy hole
                ram(0x10_0000, 0x10_0000),              // 1 MiB at 1 MiB
                ram(0x20_0000, 0x8_0000),               // adjacent: one run 1 MiB..2.5 MiB
                ram(FOUR_GIB + 0x123, 0x3000));         // frames of 4 GiB + 4 KiB .. + 12 KiB
        var a = BuddyFrameAllocator.fromMemoryMap(map);
        assertEquals(List.of(
                new PhysicalRange(0x2000, 0x4000),
                new PhysicalRange(0x10_0000, 0x18_0000),
                new PhysicalRange(FOUR_GIB + 0x1000, 0x2000)), a.managedRanges());
        assertEquals(List.of(
                new BuddyFrameAllocator.Block(0x2000, 1),
                new BuddyFrameAllocator.Block(0x4000, 1),
                new BuddyFrameAllocator.Block(0x10_0000, 8),    // 1 MiB aligned to 1 MiB
                new BuddyFrameAllocator.Block(0x20_0000, 7),    // adjacent entries merge: 512 KiB crosses nothing
                new BuddyFrameAllocator.Block(FOUR_GIB + 0x1000, 0),
                new BuddyFrameAllocator.Block(FOUR_GIB + 0x2000, 0)), a.freeBlocks());
        assertEquals(4 + 384 + 2, a.stats().managedFrames());
        // Two adjacent halves of a 1 MiB block, given as separate entries, form one block.
        var halves = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0x18_0000, 0x8_0000), ram(0x10_0000, 0x8_0000)));
        assertEquals(List.of(new BuddyFrameAllocator.Block(0x10_0000, 8)), halves.freeBlocks());
        assertThrows(IllegalStateException.class, () -> a.free(0x1000, 0));
        assertThrows(IllegalStateException.class, () -> a.free(0x6000, 0));
    }

    @Test
    void shouldExcludeReservedEntriesAndReservedRangesWidenedToFrames() {
        List<MemoryMapEntry> map = List.of(ram(0, 16 * MiB), reserved(4 * MiB, 0x800));
        var a = BuddyFrameAllocator.fromMemoryMap(map, new PhysicalRange(8 * MiB + 0xFFF, 2), new PhysicalRange(32 * MiB, MiB));
        // Frame 0, the frame at 4 MiB, and two frames at 8 MiB + 4 KiB - 1 .. + 1 are gone; 32 MiB is not RAM.
        assertEquals(16 * MiB / FRAME_SIZE - 1 - 1 - 2, a.stats().managedFrames());
        assertEquals(List.of(
                new PhysicalRange(0x1000, 4 * MiB - 0x1000),
                new PhysicalRange(4 * MiB + 0x1000, 4 * MiB - 0x1000),
                new PhysicalRange(8 * MiB + 0x2000, 8 * MiB - 0x2000)), a.managedRanges());
        Set<Long> seen = new HashSet<>();
        while (true) {
            long p;
            try {
                p = a.allocate(0, Zone.DMA32);
            } catch (OutOfFramesException e) {
                break;
            }
            assertTrue(seen.add(p));
        }
        assertFalse(seen.contains(0L));
        assertFalse(seen.contains(4 * MiB));
        assertFalse(seen.contains(8 * MiB));
        assertFalse(seen.contains(8 * MiB + 0x1000));
        assertEquals(a.stats().managedFrames(), seen.size());
    }

    @Test
    void shouldSplitARamEntryThatCrossesFourGibAtTheZoneBoundary() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(3 * GiB, 2 * GiB)));
        assertEquals(List.of(new PhysicalRange(3 * GiB, GiB), new PhysicalRange(FOUR_GIB, GiB)), a.managedRanges());
        assertEquals(List.of(new BuddyFrameAllocator.Block(3 * GiB, 18), new BuddyFrameAllocator.Block(FOUR_GIB, 18)),
                a.freeBlocks());
        // Each half is accounted in its own zone, and a DMA32 request gets only the lower one.
        long low = a.allocate(18, Zone.DMA32);
        long high = a.allocate(18, Zone.NORMAL);
        assertEquals(3 * GiB, low);
        assertEquals(FOUR_GIB, high);
        a.free(low, 18);
        a.free(high, 18);
        assertEquals(1, a.freeBlockCount(Zone.DMA32, 18));
        assertEquals(1, a.freeBlockCount(Zone.NORMAL, 18));
    }

    @Test
    void shouldRejectBadMemoryMaps() {
        var overlap = assertThrows(IllegalArgumentException.class,
                () -> BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 2 * MiB), ram(MiB, 2 * MiB))));
        assertTrue(overlap.getMessage().contains("0x100000"), overlap.getMessage());
        var empty = assertThrows(IllegalArgumentException.class,
                () -> BuddyFrameAllocator.fromMemoryMap(List.of(ram(MiB, 0))));
        assertTrue(empty.getMessage().contains("entry 0") && empty.getMessage().contains("0x100000"), empty.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> BuddyFrameAllocator.fromMemoryMap(List.of(ram(Long.MAX_VALUE - 10, 100))));
        assertThrows(IllegalArgumentException.class,
                () -> BuddyFrameAllocator.fromMemoryMap(List.of(new MemoryMapEntry(0, MiB, null))));
        // Only frame 0 and a sub-frame sliver: nothing to manage.
        var nothing = assertThrows(IllegalArgumentException.class,
                () -> BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, FRAME_SIZE), ram(0x10_0800, 0x800), reserved(GiB, MiB))));
        assertTrue(nothing.getMessage().contains("no RAM frame"), nothing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PhysicalRange(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PhysicalRange(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PhysicalRange(Long.MAX_VALUE, 2));
    }

    // ---------------------------------------------------------------- allocation

    @Test
    void shouldAlignEveryOrderToItsSizeInEveryZone() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        for (Zone zone : Zone.values()) {
            int largest = a.largestFreeOrder(zone); // 11 (8 MiB) in zone DMA, 18 (1 GiB) in the others
            assertTrue(largest >= 11, zone + " has blocks up to order " + largest);
            for (int order = 0; order <= largest; order++) {
                long p = a.allocate(order, zone);
                long size = (long) FRAME_SIZE << order;
                assertEquals(0, p % size, "order " + order + " in " + zone + " at " + hex(p));
                assertEquals(zone, Zone.of(p), "order " + order + " served from the wrong zone at " + hex(p));
                assertEquals(zone, Zone.of(p + size - 1), "block of order " + order + " crosses the zone boundary");
                assertNotEquals(0, p);
                a.free(p, order);
            }
        }
        assertEquals(a.stats().managedFrames(), a.stats().freeFrames());
    }

    @Test
    void shouldNeverHandOutFrameZero() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 64 * KiB)));
        assertEquals(15, a.stats().managedFrames());
        for (int i = 0; i < 15; i++) {
            assertNotEquals(0L, a.allocate(0, Zone.DMA32));
        }
        assertThrows(OutOfFramesException.class, () -> a.allocate(0, Zone.DMA32));
        var e = assertThrows(IllegalStateException.class, () -> a.free(0, 0));
        assertTrue(e.getMessage().contains("0x0") && e.getMessage().contains("not managed"), e.getMessage());
    }

    @Test
    void shouldTakeTheLowestSmallestSufficientBlock() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, MiB)));
        // Free blocks: frame 1 (order 0), 2 (1), 4 (2), 8 (3), 16 (4), 32 (5), 64 (6), 128 (7).
        assertEquals(0x8000, a.allocate(3, Zone.DMA32));
        assertEquals(0x1000, a.allocate(0, Zone.DMA32));
        // No order-0 block is left: the order-1 block at frame 2 is split, the lower half returned.
        assertEquals(0x2000, a.allocate(0, Zone.DMA32));
        assertEquals(0x3000, a.allocate(0, Zone.DMA32));
    }

    @Test
    void shouldAllocateSameAddressesForSameCalls() {
        var x = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        var y = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        var rx = new java.util.SplittableRandom(7);
        var ry = new java.util.SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            assertEquals(x.allocate(rx.nextInt(12), Zone.NORMAL), y.allocate(ry.nextInt(12), Zone.NORMAL));
        }
    }

    @Test
    void shouldServeDma32RequestsOnlyBelowFourGib() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, MiB), ram(FOUR_GIB, GiB)));
        long dma32Frames = a.stats().freeDma32Frames();
        for (long i = 0; i < dma32Frames; i++) {
            long p = a.allocate(0, Zone.DMA32);
            assertTrue(p < FOUR_GIB, hex(p));
        }
        var e = assertThrows(OutOfFramesException.class, () -> a.allocate(0, Zone.DMA32));
        assertTrue(e.getMessage().contains("DMA32"), e.getMessage());
        assertEquals(GiB / FRAME_SIZE, a.stats().freeFrames(), "NORMAL still has everything");
        assertEquals(1, a.stats().failures());
    }

    @Test
    void shouldPreferNormalAndFallBackToDma32OnlyWhenNormalHasNoLargeEnoughBlock() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 16 * MiB), ram(FOUR_GIB, 64 * KiB)));
        // NORMAL holds one order-4 block: an order-0 NORMAL request splits it rather than touching DMA32.
        long p = a.allocate(0, Zone.NORMAL);
        assertEquals(FOUR_GIB, p);
        // Order 4 no longer fits in NORMAL: served from DMA32.
        long q = a.allocate(4, Zone.NORMAL);
        assertTrue(q < FOUR_GIB, hex(q));
        // The 15 frames left in NORMAL are still used first for small requests.
        for (int i = 0; i < 15; i++) {
            assertTrue(a.allocate(0, Zone.NORMAL) >= FOUR_GIB);
        }
        long r = a.allocate(0, Zone.NORMAL);
        assertTrue(r < FOUR_GIB, "NORMAL exhausted: falls back, got " + hex(r));
        assertEquals(0, a.stats().failures());
    }

    @Test
    void shouldServeNormalRequestsFromDma32WhenTheMachineHasNoHighMemory() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 8 * MiB)));
        assertEquals(0, a.managedFrames(Zone.NORMAL));
        assertEquals(-1, a.largestFreeOrder(Zone.NORMAL));
        long p = a.allocate(5, Zone.NORMAL);
        assertTrue(p > 0 && p < FOUR_GIB);
    }

    @Test
    void shouldSizeAllocateBytesToTheSmallestSufficientOrder() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        long before = a.stats().freeFrames();
        long p1 = a.allocateBytes(1, Zone.DMA32);
        long p2 = a.allocateBytes(FRAME_SIZE + 1, Zone.DMA32);
        long p3 = a.allocateBytes(3 * FRAME_SIZE, Zone.DMA32);
        long p4 = a.allocateBytes(GiB, Zone.NORMAL);
        assertEquals(before - 1 - 2 - 4 - GiB / FRAME_SIZE, a.stats().freeFrames());
        assertEquals(0, p4 % GiB);
        a.free(p1, 0);
        a.free(p2, 1);
        a.free(p3, 2);
        a.free(p4, 18);
        var tooBig = assertThrows(IllegalArgumentException.class, () -> a.allocateBytes(GiB + 1, Zone.NORMAL));
        assertTrue(tooBig.getMessage().contains("order 19"), tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.allocateBytes(0, Zone.NORMAL));
        assertEquals(0, a.stats().failures(), "a request that can never fit is a bad argument, not a failure");
    }

    @Test
    void shouldRejectOrdersOutsideTheRange() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        assertThrows(IllegalArgumentException.class, () -> a.allocate(-1, Zone.NORMAL));
        assertThrows(IllegalArgumentException.class, () -> a.allocate(19, Zone.NORMAL));
        assertThrows(IllegalArgumentException.class, () -> a.free(FOUR_GIB, 19));
        assertThrows(NullPointerException.class, () -> a.allocate(0, null));
        assertEquals(0, a.stats().failures());
    }

    @Test
    void shouldThrowOutOfFramesOnExhaustionCountAFailureAndRecoverAfterAFree() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0x10_0000, 64 * KiB)));
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            got.add(a.allocate(0, Zone.DMA32));
        }
        var e = assertThrows(OutOfFramesException.class, () -> a.allocate(0, Zone.NORMAL));
        assertTrue(e.getMessage().contains("order 0") && e.getMessage().contains("zones NORMAL, DMA32, DMA"), e.getMessage());
        assertEquals(1, a.stats().failures());
        assertEquals(16, a.stats().allocations());
        a.free(got.get(3), 0);
        assertEquals(got.get(3), a.allocate(0, Zone.DMA32));
        // A large request fails while small frames are free: fragmentation, still one failure each.
        a.free(got.get(0), 0);
        a.free(got.get(2), 0);
        assertThrows(OutOfFramesException.class, () -> a.allocate(1, Zone.DMA32));
        assertEquals(2, a.stats().failures());
    }

    // ---------------------------------------------------------------- coalescing

    @Test
    void shouldCoalesceBuddiesStepByStep() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0x10_0000, 16 * KiB)));   // one order-2 block
        long f0 = a.allocate(0, Zone.DMA32);
        long f1 = a.allocate(0, Zone.DMA32);
        long f2 = a.allocate(0, Zone.DMA32);
        long f3 = a.allocate(0, Zone.DMA32);
        assertEquals(List.of(0x10_0000L, 0x10_1000L, 0x10_2000L, 0x10_3000L), List.of(f0, f1, f2, f3));
        a.free(f1, 0);
        a.free(f2, 0);   // f1 and f2 are not buddies: two order-0 blocks
        assertEquals(2, a.freeBlockCount(Zone.DMA, 0), "1 MiB is in zone DMA; the DMA32 requests fell back to it");
        a.free(f3, 0);   // f2 + f3 -> order 1 at f2
        assertEquals(List.of(new BuddyFrameAllocator.Block(f1, 0), new BuddyFrameAllocator.Block(f2, 1)), a.freeBlocks());
        a.free(f0, 0);   // f0 + f1 -> order 1, + (f2,f3) -> order 2
        assertEquals(List.of(new BuddyFrameAllocator.Block(f0, 2)), a.freeBlocks());
        assertEquals(f0, a.allocate(2, Zone.DMA32));
    }

    @Test
    void shouldRestoreTheOriginalFreeBlocksAfterEverythingIsFreed() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 64 * MiB), ram(FOUR_GIB, 32 * MiB)));
        List<BuddyFrameAllocator.Block> original = a.freeBlocks();
        long seed = 0x5EED_0001L;
        var rnd = new java.util.SplittableRandom(seed);
        List<long[]> live = new ArrayList<>();
        // Fill memory completely with blocks of mixed orders.
        for (int order = 6; order >= 0; order--) {
            while (true) {
                try {
                    int o = rnd.nextInt(order + 1);
                    live.add(new long[] {a.allocate(o, rnd.nextBoolean() ? Zone.NORMAL : Zone.DMA32), o});
                } catch (OutOfFramesException e) {
                    break;
                }
            }
        }
        while (true) {
            try {
                live.add(new long[] {a.allocate(0, Zone.NORMAL), 0}); // NORMAL falls back: fails only when both are full
            } catch (OutOfFramesException e) {
                break;
            }
        }
        assertEquals(0, a.stats().freeFrames(), "seed " + seed);
        for (int i = live.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long[] t = live.get(i);
            live.set(i, live.get(j));
            live.set(j, t);
        }
        for (long[] b : live) {
            a.free(b[0], (int) b[1]);
        }
        assertEquals(original, a.freeBlocks(), "seed " + seed);
        // The largest blocks (32 MiB in each zone; frame 0 keeps the low 64 MiB from being one block) are whole again.
        assertEquals(32 * MiB, a.allocate(13, Zone.DMA32), "seed " + seed);
        assertEquals(FOUR_GIB, a.allocate(13, Zone.NORMAL), "seed " + seed);
    }

    // ---------------------------------------------------------------- misuse detection

    @Test
    void shouldRejectDoubleFreeNamingTheAddress() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        long p = a.allocate(3, Zone.NORMAL);
        a.free(p, 3);
        FrameStats before = a.stats();
        var e = assertThrows(IllegalStateException.class, () -> a.free(p, 3));
        assertTrue(e.getMessage().contains(hex(p)) && e.getMessage().contains("double free"), e.getMessage());
        assertEquals(before, a.stats(), "a rejected free changes nothing");
    }

    @Test
    void shouldRejectDoubleFreeOfABlockThatCoalescedAway() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0x10_0000, 8 * KiB)));
        long p = a.allocate(0, Zone.DMA32);
        long q = a.allocate(0, Zone.DMA32);
        a.free(q, 0);
        a.free(p, 0);    // p merges with q: q is no longer a block head
        var e = assertThrows(IllegalStateException.class, () -> a.free(q, 0));
        assertTrue(e.getMessage().contains(hex(q)) && e.getMessage().contains("double free"), e.getMessage());
        assertEquals(List.of(new BuddyFrameAllocator.Block(p, 1)), a.freeBlocks());
    }

    @Test
    void shouldRejectFreeingAFrameThatWasNeverAllocated() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        long never = FOUR_GIB + 0x1234_5000L;
        var e = assertThrows(IllegalStateException.class, () -> a.free(never, 0));
        assertTrue(e.getMessage().contains(hex(never)) && e.getMessage().contains("never allocated"), e.getMessage());
        long p = a.allocate(2, Zone.DMA32);
        var inside = assertThrows(IllegalStateException.class, () -> a.free(p + FRAME_SIZE, 0));
        assertTrue(inside.getMessage().contains(hex(p + FRAME_SIZE)) && inside.getMessage().contains("inside the block")
                && inside.getMessage().contains(hex(p)), inside.getMessage());
        assertEquals(0, a.stats().frees());
    }

    @Test
    void shouldRejectFreeWithTheWrongOrder() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap());
        long p = a.allocate(2, Zone.NORMAL);
        FrameStats before = a.stats();
        var smaller = assertThrows(IllegalStateException.class, () -> a.free(p, 1));
        assertTrue(smaller.getMessage().contains(hex(p)) && smaller.getMessage().contains("wrong order")
                && smaller.getMessage().contains("order 2"), smaller.getMessage());
        assertThrows(IllegalStateException.class, () -> a.free(p, 3));
        assertEquals(before, a.stats());
        a.free(p, 2);
        assertEquals(a.stats().managedFrames(), a.stats().freeFrames());
    }

    @Test
    void shouldRejectFreeOfUnalignedOrUnmanagedAddresses() {
        var a = BuddyFrameAllocator.fromMemoryMap(defaultMap(), new PhysicalRange(FOUR_GIB + GiB, MiB));
        long p = a.allocate(0, Zone.NORMAL);
        for (long bad : new long[] {p + 1, p + FRAME_SIZE / 2}) {
            var e = assertThrows(IllegalStateException.class, () -> a.free(bad, 0));
            assertTrue(e.getMessage().contains(hex(bad)) && e.getMessage().contains("not frame-aligned"), e.getMessage());
        }
        for (long bad : new long[] {3 * GiB, 0xF000_0000L, FOUR_GIB + GiB, 6 * GiB, 1L << 50, -FRAME_SIZE}) {
            var e = assertThrows(IllegalStateException.class, () -> a.free(bad, 0));
            assertTrue(e.getMessage().contains(hex(bad)) && e.getMessage().contains("not managed RAM"), e.getMessage());
        }
        assertEquals(0, a.stats().frees());
    }

    // ---------------------------------------------------------------- statistics

    @Test
    void shouldCountStatisticsExactly() {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 4 * MiB), ram(FOUR_GIB, MiB)));
        long managed = 1024 - 1 + 256;
        assertEquals(new FrameStats(managed, managed, 1023, 0, 0, 0), a.stats());
        long x = a.allocate(3, Zone.DMA32);
        long y = a.allocate(8, Zone.NORMAL);
        long z = a.allocate(8, Zone.NORMAL);   // NORMAL is used up by y: from DMA32
        assertThrows(OutOfFramesException.class, () -> a.allocate(10, Zone.DMA32));
        assertEquals(new FrameStats(managed, managed - 8 - 256 - 256, 1023 - 8 - 256, 3, 0, 1), a.stats());
        assertEquals(8 + 256 + 256, a.stats().allocatedFrames());
        a.free(y, 8);
        a.free(x, 3);
        assertThrows(IllegalStateException.class, () -> a.free(x, 3));
        assertEquals(new FrameStats(managed, managed - 256, 1023 - 256, 3, 2, 1), a.stats());
        a.free(z, 8);
        assertEquals(new FrameStats(managed, managed, 1023, 3, 3, 1), a.stats());
    }

    // ---------------------------------------------------------------- model-checked random runs

    @Test
    void shouldAgreeWithASimpleModelOverRandomSequences() {
        List<MemoryMapEntry> map = List.of(
                ram(0, 0x9_F800),                        // unaligned top
                reserved(0xA_0000, 0x6_0000),
                ram(0x10_0000, 3 * MiB + 0x1800),        // unaligned top, odd size
                ram(0x1_0000_0000L - 2 * MiB, 2 * MiB),  // ends exactly at 4 GiB
                ram(FOUR_GIB, 2 * MiB + 0x3000),         // starts at 4 GiB: would be its buddy if zones did not cut
                ram(FOUR_GIB + 64 * MiB + 0x800, MiB));  // unaligned base
        for (long seed : new long[] {1, 2, 3, 0xC0FFEEL, 0xDEAD_BEEFL}) {
            runModel(map, seed, 20_000, new PhysicalRange(0x20_0000, 0x1_2345));
        }
    }

    private static void runModel(List<MemoryMapEntry> map, long seed, int steps, PhysicalRange... reserved) {
        var a = BuddyFrameAllocator.fromMemoryMap(map, reserved);
        List<PhysicalRange> managed = a.managedRanges();
        List<BuddyFrameAllocator.Block> original = a.freeBlocks();
        long managedFrames = a.stats().managedFrames();
        var rnd = new java.util.SplittableRandom(seed);
        TreeMap<Long, Integer> live = new TreeMap<>();
        List<Long> liveList = new ArrayList<>();
        long liveFrames = 0;
        long allocations = 0;
        long frees = 0;
        long failures = 0;
        for (int step = 0; step < steps; step++) {
            String where = "seed " + seed + ", step " + step;
            boolean doFree = !liveList.isEmpty() && rnd.nextInt(100) < 45;
            if (doFree) {
                int i = rnd.nextInt(liveList.size());
                long p = liveList.get(i);
                liveList.set(i, liveList.get(liveList.size() - 1));
                liveList.removeLast();
                int order = live.remove(p);
                if (rnd.nextInt(50) == 0) {
                    // Misuse mixed in: must be rejected without changing anything.
                    int wrong = order == 0 ? 1 : order - 1;
                    assertThrows(IllegalStateException.class, () -> a.free(p, wrong), where);
                }
                a.free(p, order);
                frees++;
                liveFrames -= 1L << order;
                if (rnd.nextInt(50) == 0) {
                    assertThrows(IllegalStateException.class, () -> a.free(p, order), where);
                }
            } else {
                int order = rnd.nextInt(10) == 0 ? rnd.nextInt(11) : rnd.nextInt(4);
                Zone zone = rnd.nextBoolean() ? Zone.DMA32 : Zone.NORMAL;
                long p;
                try {
                    p = a.allocate(order, zone);
                } catch (OutOfFramesException e) {
                    failures++;
                    continue;
                }
                allocations++;
                long size = (long) FRAME_SIZE << order;
                assertEquals(0, p % size, where + ": misaligned " + hex(p) + " order " + order);
                if (zone == Zone.DMA32) {
                    assertTrue(p + size <= FOUR_GIB, where + ": DMA32 got " + hex(p));
                }
                assertTrue(managed.stream().anyMatch(r -> r.base() <= p && p + size <= r.end()),
                        where + ": block " + hex(p) + " order " + order + " is not inside one managed range");
                Map.Entry<Long, Integer> below = live.floorEntry(p);
                if (below != null) {
                    assertTrue(below.getKey() + ((long) FRAME_SIZE << below.getValue()) <= p,
                            where + ": " + hex(p) + " overlaps live block at " + hex(below.getKey()));
                }
                Long above = live.ceilingKey(p);
                if (above != null) {
                    assertTrue(p + size <= above, where + ": " + hex(p) + " overlaps live block at " + hex(above));
                }
                live.put(p, order);
                liveList.add(p);
                liveFrames += 1L << order;
            }
            FrameStats s = a.stats();
            assertEquals(managedFrames - liveFrames, s.freeFrames(), where);
            assertEquals(allocations, s.allocations(), where);
            assertEquals(frees, s.frees(), where);
            assertEquals(failures, s.failures(), where);
            if (step % 2_000 == 0) {
                checkFreeBlocks(a, live, managedFrames - liveFrames, where);
            }
        }
        for (var e : live.entrySet()) {
            a.free(e.getKey(), e.getValue());
        }
        assertEquals(original, a.freeBlocks(), "seed " + seed + ": all freed, structure restored");
        assertTrue(failures > 0 && frees > 1000, "seed " + seed + ": the run should reach exhaustion and free a lot");
    }

    /** Free blocks are disjoint from live ones, add up to the free count, and no two free buddies are left unmerged. */
    private static void checkFreeBlocks(BuddyFrameAllocator a, TreeMap<Long, Integer> live, long freeFrames, String where) {
        List<BuddyFrameAllocator.Block> blocks = a.freeBlocks();
        long sum = 0;
        Set<Long> heads = new HashSet<>();
        for (var b : blocks) {
            sum += b.bytes() / FRAME_SIZE;
            heads.add(b.physical() | b.order());
            Map.Entry<Long, Integer> below = live.floorEntry(b.end() - 1);
            if (below != null) {
                assertTrue(below.getKey() + ((long) FRAME_SIZE << below.getValue()) <= b.physical(),
                        where + ": free block " + b + " overlaps live block at " + hex(below.getKey()));
            }
        }
        assertEquals(freeFrames, sum, where);
        for (var b : blocks) {
            long buddy = b.physical() ^ b.bytes();
            if (b.order() < BuddyFrameAllocator.MAX_ORDER && Zone.of(buddy) == Zone.of(b.physical())) {
                assertFalse(heads.contains(buddy | b.order()), where + ": free buddies left unmerged at " + b);
            }
        }
    }

    // ---------------------------------------------------------------- threads

    @Test
    void shouldStayConsistentUnderConcurrentUse() throws InterruptedException {
        var a = BuddyFrameAllocator.fromMemoryMap(List.of(ram(0, 16 * MiB), ram(FOUR_GIB, 16 * MiB)));
        int threads = 4;
        List<List<long[]>> kept = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            kept.add(new ArrayList<>());
        }
        Workers.run(threads, t -> {
            List<long[]> mine = kept.get(t);
            long seed = 100 + t;
            try {
                var rnd = new java.util.SplittableRandom(seed);
                for (int i = 0; i < 20_000; i++) {
                    if (!mine.isEmpty() && rnd.nextBoolean()) {
                        long[] b = mine.remove(rnd.nextInt(mine.size()));
                        a.free(b[0], (int) b[1]);
                    } else {
                        int o = rnd.nextInt(5);
                        try {
                            mine.add(new long[] {a.allocate(o, rnd.nextBoolean() ? Zone.NORMAL : Zone.DMA32), o});
                        } catch (OutOfFramesException e) {
                            // fine under contention
                        }
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("thread seed " + seed, e);
            }
        });
        TreeMap<Long, Integer> all = new TreeMap<>();
        long liveFrames = 0;
        for (List<long[]> mine : kept) {
            for (long[] b : mine) {
                assertEquals(null, all.put(b[0], (int) b[1]), "two threads own " + hex(b[0]));
                liveFrames += 1L << b[1];
            }
        }
        FrameStats s = a.stats();
        assertEquals(s.managedFrames() - liveFrames, s.freeFrames());
        checkFreeBlocks(a, all, s.freeFrames(), "after threads");
        long prevEnd = 0;
        for (var e : all.entrySet()) {
            assertTrue(prevEnd <= e.getKey(), "live blocks overlap at " + hex(e.getKey()));
            prevEnd = e.getKey() + ((long) FRAME_SIZE << e.getValue());
        }
    }
}
