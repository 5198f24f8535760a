package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.jdma.kernel.mm.Zone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mapping layer maps only memory somebody owns: a range that includes a frame the frame
 * allocator holds free is refused with an error naming that frame, before anything is mapped,
 * pinned or bounced; memory the allocator does not manage (no RAM there) is not its to judge.
 */
class FreeFrameMappingTest {

    private static final long PAGE = 4096;
    private static final Set<DmaAttr> NONE = Set.of();

    private Rig rig;
    private DmaDevice dev;

    @BeforeEach
    void setUp() {
        rig = Rig.direct(true);
        dev = rig.attach("nic0", 3, false);
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void shouldMapAnAllocatedBlockToItsLastByteAndRefuseOneByteMore() {
        long block = rig.frames.allocate(1, Zone.NORMAL); // two frames
        long buddy = rig.frames.allocate(1, Zone.NORMAL);
        assertEquals(block + 2 * PAGE, buddy, "the allocator takes the lowest free block: the two halves of one");
        rig.frames.free(buddy, 1); // the frame after the block is free now
        long a = rig.dma.mapSingle(dev, block, 2 * PAGE, DmaDirection.TO_DEVICE, NONE);
        assertFalse(rig.dma.mappingError(dev, a));
        rig.dma.unmapSingle(dev, a, 2 * PAGE, DmaDirection.TO_DEVICE, NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rig.dma.mapSingle(dev, block, 2 * PAGE + 1, DmaDirection.TO_DEVICE, NONE));
        assertTrue(e.getMessage().contains(String.format("includes frame %#x, which the frame allocator holds free", buddy)),
                e.getMessage());
        assertEquals(0, rig.dma.liveMappings(dev));
    }

    @Test
    void shouldRefuseAMapOfFreedMemoryAndTakeNothing() {
        long page = rig.frames.allocate(0, Zone.NORMAL);
        rig.frames.free(page, 0);
        long slotsBefore = rig.dma.swiotlb().usedSlots(); // allocates the bounce pool: before the frames are counted
        var freeBefore = rig.frames.freeBlocks();
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> rig.dma.mapSingle(dev, page + 16, 64, DmaDirection.FROM_DEVICE, NONE));
        assertEquals(String.format("mapSingle: nic0: buffer [%#x, +0x40) includes frame %#x, which the frame allocator holds free; "
                + "map only allocated memory", page + 16, page), single.getMessage());
        IllegalArgumentException paged = assertThrows(IllegalArgumentException.class,
                () -> rig.dma.mapPage(dev, page, 8, 64, DmaDirection.TO_DEVICE, NONE));
        assertTrue(paged.getMessage().startsWith("mapPage: nic0: buffer"), paged.getMessage());
        assertEquals(0, rig.dma.liveMappings(dev));
        assertEquals(slotsBefore, rig.dma.swiotlb().usedSlots());
        assertEquals(freeBefore, rig.frames.freeBlocks());
    }

    @Test
    void shouldNameTheScatterlistEntryThatIncludesAFreeFrame() {
        long owned = rig.frames.allocate(0, Zone.NORMAL);
        long freed = rig.frames.allocate(0, Zone.NORMAL);
        rig.frames.free(freed, 0);
        ScatterList sg = new ScatterList().add(owned, PAGE).add(owned, 512).add(freed + 100, 200);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rig.dma.mapSg(dev, sg, 3, DmaDirection.BIDIRECTIONAL, NONE));
        assertTrue(e.getMessage().startsWith(String.format("mapSg: nic0: entry 2 [%#x, +0xc8) includes frame %#x", freed + 100, freed)),
                e.getMessage());
        assertEquals(0, rig.dma.liveMappings(dev));
        assertEquals(2, rig.dma.mapSg(dev, sg, 2, DmaDirection.BIDIRECTIONAL, NONE), "the first two entries alone are owned");
        rig.dma.unmapSg(dev, sg, 2, DmaDirection.BIDIRECTIONAL, NONE);
    }

    @Test
    void shouldMapMemoryTheAllocatorDoesNotManage() {
        assertTrue(rig.dma.setMask(dev, DmaMask.BITS_64));
        long deviceMemory = 1L << 44; // no RAM there: a peer device's BAR, say
        long a = rig.dma.mapSingle(dev, deviceMemory, PAGE, DmaDirection.TO_DEVICE, Set.of(DmaAttr.SKIP_CPU_SYNC));
        assertEquals(deviceMemory, a);
        rig.dma.unmapSingle(dev, a, PAGE, DmaDirection.TO_DEVICE, Set.of(DmaAttr.SKIP_CPU_SYNC));
    }
}
