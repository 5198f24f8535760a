package org.jdma.kernel.dma.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mm/dmapool.c: aligned blocks that never cross the boundary, checked frees, destroy with live blocks. */
class DmaPoolTest {

    private Machine machine;
    private DmaMappingLayer dma;
    private DmaDevice dev;

    @BeforeEach
    void setUp() {
        machine = TestMachines.ramOnly();
        DmaMemory memory = TestMachines.dmaMemory(machine);
        dma = new DmaMappingLayer(memory, Optional.empty(), MappingOptions.DEFAULTS.withSwiotlb(0, 1));
        dev = new DmaDevice("nic", RequesterId.of(0, 4, 0), false);
        dma.attach(dev);
    }

    @AfterEach
    void tearDown() {
        machine.close();
    }

    @Test
    void shouldAlignEveryBlockAndRoundSizeToAlignment() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 40, 64, 0);
        assertEquals(64, pool.blockSize());
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            DmaPool.Block b = pool.alloc();
            assertEquals(0, b.dmaAddress() % 64, b.toString());
            assertEquals(0, b.physical() % 64, b.toString());
            assertTrue(seen.add(b.physical()), "no block handed out twice: " + b);
        }
        assertEquals(4, pool.pageCount(), "64 blocks of 64 bytes per 4 KiB page");
    }

    @Test
    void shouldNeverCrossBoundary() {
        DmaPool pool = DmaPool.create("cmd", dma, dev, 96, 32, 1024);
        for (int i = 0; i < 100; i++) {
            DmaPool.Block b = pool.alloc();
            assertEquals(b.dmaAddress() / 1024, (b.dmaAddress() + b.size() - 1) / 1024, "crosses 1 KiB: " + b);
            assertEquals(0, b.dmaAddress() % 32);
        }
        // 10 blocks of 96 fit in each 1 KiB window (960 bytes), 4 windows per page.
        assertEquals(3, pool.pageCount());
    }

    @Test
    void shouldUseBlocksLargerThanPageAsWholeAllocations() {
        DmaPool pool = DmaPool.create("big", dma, dev, 6000, 0, 0);
        DmaPool.Block a = pool.alloc();
        DmaPool.Block b = pool.alloc();
        assertEquals(6000, a.size());
        assertEquals(2, pool.pageCount());
        assertTrue(a.physical() != b.physical());
    }

    @Test
    void shouldReuseFreedBlockFirst() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 64, 64, 0);
        DmaPool.Block a = pool.alloc();
        pool.alloc();
        pool.free(a);
        assertEquals(a, pool.alloc());
    }

    @Test
    void shouldZeroBlockOnZalloc() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 64, 64, 0);
        DmaPool.Block a = pool.alloc();
        machine.cpu().write(a.physical(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        pool.free(a);
        DmaPool.Block b = pool.zalloc(machine.cpu());
        byte[] got = new byte[64];
        machine.cpu().read(b.physical(), got);
        assertArrayEquals(new byte[64], got);
    }

    @Test
    void shouldRejectDoubleFreeNamingTheBlock() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 64, 64, 0);
        DmaPool.Block a = pool.alloc();
        pool.free(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.free(a));
        assertTrue(e.getMessage().contains("already free") && e.getMessage().contains(Long.toHexString(a.physical())), e.getMessage());
    }

    @Test
    void shouldRejectForeignBlockNamingTheAddress() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 64, 64, 0);
        DmaPool other = DmaPool.create("other", dma, dev, 64, 64, 0);
        pool.alloc();
        DmaPool.Block foreign = other.alloc();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.free(foreign));
        assertTrue(e.getMessage().contains(Long.toHexString(foreign.physical())) && e.getMessage().contains("desc"), e.getMessage());
        DmaPool.Block a = pool.alloc();
        assertThrows(IllegalArgumentException.class,
                () -> pool.free(new DmaPool.Block(a.physical() + 8, a.dmaAddress() + 8, 64)), "inside a block is not a block");
    }

    @Test
    void shouldRefuseDestroyWithLiveBlocksNamingThem() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 64, 64, 0);
        DmaPool.Block a = pool.alloc();
        DmaPool.Block b = pool.alloc();
        pool.free(pool.alloc());
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::destroy);
        assertTrue(e.getMessage().contains("2 block(s)"), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toHexString(a.physical())) && e.getMessage().contains(Long.toHexString(b.physical())), e.getMessage());
        assertEquals(2, pool.liveBlocks(), "the pool is left as it was");
        pool.free(a);
        pool.free(b);
        pool.destroy();
        assertEquals(0, dma.liveCoherent(dev), "every page went back");
        assertThrows(IllegalStateException.class, pool::alloc);
    }

    @Test
    void shouldRejectBadParametersNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DmaPool.create("p", dma, dev, 64, 48, 0));
        assertTrue(e.getMessage().contains("align"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DmaPool.create("p", dma, dev, 0, 8, 0));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DmaPool.create("p", dma, dev, 128, 8, 64));
        assertTrue(e.getMessage().contains("boundary"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DmaPool.create("p", dma, dev, 64, 8, 3000));
    }

    @Test
    void shouldGiveBlocksInsideDeviceCoherentMask() {
        DmaPool pool = DmaPool.create("desc", dma, dev, 512, 512, 4096);
        List<DmaPool.Block> blocks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            DmaPool.Block b = pool.alloc();
            assertNotNull(b);
            assertTrue(dev.coherentMask().covers(b.dmaAddress(), b.size()));
            blocks.add(b);
        }
        blocks.forEach(pool::free);
        pool.destroy();
    }
}
