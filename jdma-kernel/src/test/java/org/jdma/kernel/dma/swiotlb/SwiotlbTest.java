package org.jdma.kernel.dma.swiotlb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jdma.kernel.mm.BuddyFrameAllocator;
import org.jdma.kernel.mm.Zone;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.kernel.testing.Workers;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bounce pool on its own: slots, segments, alignment, areas, shrinking, concurrent use. */
class SwiotlbTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private Machine machine;
    private BuddyFrameAllocator frames;
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() {
        machine = TestMachines.ramOnly();
        frames = BuddyFrameAllocator.fromMemoryMap(machine.memoryMap());
    }

    @AfterEach
    void tearDown() {
        machine.close();
    }

    private Swiotlb pool(long bytes, int areas) {
        return Swiotlb.allocate(machine.cpu(), frames, bytes, areas, warnings::add);
    }

    @Test
    void shouldAllocatePoolBelowFourGibInAreas() {
        Swiotlb tlb = pool(2L << 20, 4);
        assertTrue(tlb.active());
        assertTrue(tlb.end() <= 1L << 32);
        assertEquals(1024, tlb.stats().totalSlots());
        assertEquals(4, tlb.areaCount());
    }

    @Test
    void shouldShrinkPoolWhenNoBlockThatLargeIsFree() {
        Swiotlb tlb = pool(64L << 20, 4); // the machine has 64 MiB below 4 GiB in all
        assertTrue(tlb.active());
        assertTrue(tlb.end() - tlb.start() < 64L << 20);
        assertTrue(warnings.getFirst().contains("adjusted"), warnings.toString());
    }

    @Test
    void shouldBeInactiveWithSizeZero() {
        Swiotlb tlb = pool(0, 1);
        assertFalse(tlb.active());
        assertEquals(Swiotlb.NO_SLOTS, tlb.map(0x10000, 64, 0, 0, -1L, 0));
    }

    @Test
    void shouldTakeWholeAlignedGranuleForAlignedRequest() {
        Swiotlb tlb = pool(1L << 20, 1);
        long a = tlb.map(0x10000, 100, 4095, 0, -1L, 0);
        assertEquals(0, a & 4095);
        assertEquals(2, tlb.usedSlots(), "the padding up to the granule belongs to the mapping");
        long b = tlb.map(0x10000, 100, 0, 0, -1L, 0);
        assertEquals(3, tlb.usedSlots(), "one slot without alignment");
        assertEquals(0, b & (Swiotlb.SLOT_SIZE - 1));
    }

    @Test
    void shouldGiveTheSlotsBackWhenTheOriginalIsNotRam() {
        Swiotlb tlb = pool(1L << 20, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tlb.map(0xFFFF_FFFF_FFFF_F000L, 0x1000, 0, 0, -1L, 0));
        assertTrue(e.getMessage().contains("0xfffffffffffff000"), e.getMessage());
        assertEquals(0, tlb.usedSlots(), "a refused map holds no slot");
        assertEquals(0, tlb.stats().liveMappings());
    }

    @Test
    void shouldHandOutTheSameSlotsAgainAfterARewind() {
        Swiotlb tlb = pool(1L << 20, 2);
        long first = tlb.map(0x10000, 100, 0, 0, -1L, 0);
        long second = tlb.map(0x20000, 5000, 0, 0, -1L, 0);
        tlb.unmap(first, false);
        tlb.unmap(second, false);
        long third = tlb.map(0x10000, 100, 0, 0, -1L, 0);
        assertNotEquals(first, third, "next fit: the search goes on after the last mapping");
        tlb.unmap(third, false);

        tlb.rewind();

        assertEquals(first, tlb.map(0x10000, 100, 0, 0, -1L, 0));
        assertEquals(second, tlb.map(0x20000, 5000, 0, 0, -1L, 0));
    }

    @Test
    void shouldRefuseToRewindWhileAMappingIsLive() {
        Swiotlb tlb = pool(1L << 20, 1);
        long live = tlb.map(0x10000, 100, 0, 0, -1L, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, tlb::rewind);
        assertTrue(e.getMessage().contains("1 slots of 1 mappings in use"), e.getMessage());
        tlb.unmap(live, false);
        tlb.rewind();
        assertEquals(live, tlb.map(0x10000, 100, 0, 0, -1L, 0));
    }

    @Test
    void shouldKeepEachMappingInsideOneSegment() {
        Swiotlb tlb = pool(1L << 20, 1);
        long size = 100 * Swiotlb.SLOT_SIZE;
        List<Long> maps = new ArrayList<>();
        long a;
        while ((a = tlb.map(0x10000, size, 0, 0, -1L, 0)) != Swiotlb.NO_SLOTS) {
            long firstSlot = (a - tlb.start()) / Swiotlb.SLOT_SIZE;
            long lastSlot = (a + size - 1 - tlb.start()) / Swiotlb.SLOT_SIZE;
            assertEquals(firstSlot / Swiotlb.SEGMENT_SLOTS, lastSlot / Swiotlb.SEGMENT_SLOTS, "mapping at " + Long.toHexString(a));
            maps.add(a);
        }
        assertEquals(4, maps.size(), "one 100-slot mapping per 128-slot segment");
        assertTrue(warnings.getLast().contains("swiotlb buffer is full"));
        for (long m : maps) {
            assertTrue(tlb.unmap(m, false));
        }
        assertEquals(0, tlb.usedSlots());
    }

    @Test
    void shouldRejectMappingLargerThanSegment() {
        Swiotlb tlb = pool(1L << 20, 1);
        assertThrows(IllegalArgumentException.class, () -> tlb.map(0x10000, Swiotlb.MAX_MAPPING_SIZE + 1, 0, 0, -1L, 0));
        assertNotEquals(Swiotlb.NO_SLOTS, tlb.map(0x10000, Swiotlb.MAX_MAPPING_SIZE, 0, 0, -1L, 0));
    }

    @Test
    void shouldRefuseUnmapOfAddressThatStartsNoMapping() {
        Swiotlb tlb = pool(1L << 20, 1);
        long a = tlb.map(0x10000, 4096, 0, 0, -1L, 0);
        assertFalse(tlb.unmap(a + 2048, false));
        assertTrue(tlb.unmap(a, false));
        assertFalse(tlb.unmap(a, false), "second unmap");
        assertEquals(0, tlb.usedSlots());
    }

    @Test
    void shouldKeepMappingsApartUnderConcurrentUse(@Seed(0x5EED_B0B0L) long seed) throws InterruptedException {
        Swiotlb tlb = pool(4L << 20, 4);
        int threads = 4;
        long originals = frames.allocateBytes(threads * 256 * 1024L, Zone.NORMAL);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Workers.run(threads, id -> {
            SplittableRandom rnd = new SplittableRandom(seed + id);
            long orig = originals + id * 256 * 1024L;
            for (int i = 0; i < 500; i++) {
                int size = 1 + rnd.nextInt(64 * 1024);
                byte[] data = new byte[size];
                rnd.nextBytes(data);
                machine.cpu().write(orig, data);
                long a = tlb.map(orig, size, rnd.nextBoolean() ? 4095 : 0, 0, -1L, 0);
                if (a == Swiotlb.NO_SLOTS) {
                    continue;
                }
                byte[] seen = new byte[size];
                machine.cpu().read(a, seen);
                if (!Arrays.equals(data, seen)) {
                    failures.add("thread " + id + " iteration " + i + ": bounce bytes differ");
                }
                if (!tlb.unmap(a, false)) {
                    failures.add("thread " + id + " iteration " + i + ": unmap refused");
                }
        }
        });
        assertEquals(List.of(), List.copyOf(failures), "seed " + seed);
        assertEquals(0, tlb.usedSlots(), "seed " + seed);
        assertEquals(0, tlb.stats().liveMappings(), "seed " + seed);
    }

    @Test
    void shouldCopyOnlyTheRequestedPartOnPartialSync() {
        Swiotlb tlb = pool(1L << 20, 1);
        long orig = frames.allocateBytes(4096, Zone.NORMAL);
        byte[] data = new byte[1000];
        Arrays.fill(data, (byte) 1);
        machine.cpu().write(orig, data);
        long a = tlb.map(orig, 1000, 0, 0, -1L, 0);
        machine.cpu().write(a + 500, new byte[] {9, 9});
        tlb.syncForCpu(a + 500, 1);
        byte[] back = new byte[1000];
        machine.cpu().read(orig, back);
        data[500] = 9;
        assertArrayEquals(data, back);
        tlb.syncForCpu(a + 990, 100); // runs past the end: cut at it
        tlb.unmap(a, true);
        machine.cpu().read(orig, back);
        data[501] = 9;
        assertArrayEquals(data, back);
    }

    @Test
    void shouldKeepOriginalLowBitsUnderMinAlignMask() {
        Swiotlb tlb = pool(1L << 20, 1);
        tlb.map(0x10000, 100, 0, 0, -1L, 0); // move the next-fit index off the first slot
        long orig = frames.allocateBytes(8192, Zone.NORMAL) + 0xA30;
        long a = tlb.map(orig, 300, 0, 0xFFF, -1L, 0);
        assertEquals(orig & 0xFFF, a & 0xFFF, "bounce keeps the offset in the 4 KiB page (NVMe PRPs)");
        long b = tlb.map(orig, 300, 0xFFF, 0xFFF, -1L, 0);
        assertEquals(orig & 0xFFF, b & 0xFFF, "with granule alignment the offset lands in the pad slot");
        assertEquals(0, (b - (orig & 0xFFF)) & 0xFFF, "the run itself starts on the granule");
        assertTrue(tlb.unmap(a, false));
        assertTrue(tlb.unmap(b, false));
        assertEquals(1, tlb.usedSlots());
        assertEquals(Swiotlb.MAX_MAPPING_SIZE - 4096, Swiotlb.maxMappingSize(0xFFF));
    }
}
